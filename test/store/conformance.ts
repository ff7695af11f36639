// The store conformance suite: the contract of every port in a StoreBundle as the rest of Vigil
// relies on it. Each backend runs it through its factory (test/store/<backend>.test.ts); a new
// backend is done when it passes, unchanged.
import { describe } from 'node:test';
import { accessConformance } from './conformance-access.js';
import { approvalDeadlineConformance } from './conformance-approval-deadlines.js';
import { approvalLapseConformance } from './conformance-approval-lapses.js';
import { approvalConformance } from './conformance-approvals.js';
import { contentConformance } from './conformance-content.js';
import { eventSourceConformance } from './conformance-event-source.js';
import { ledgerConformance } from './conformance-ledger.js';
import { moduleStateConformance } from './conformance-module-state.js';
import { purgeConformance } from './conformance-purge.js';
import { replicaConformance } from './conformance-replicas.js';
import { requestSessionConformance } from './conformance-request-sessions.js';
import { scimConformance } from './conformance-scim.js';
import { sessionPageConformance } from './conformance-session-page.js';
import type { ConformanceOptions, StoreFactory } from './conformance-support.js';

export type { ConformanceOptions, StoreFactory, StoreUnderTest } from './conformance-support.js';

export function storeConformance(
  name: string,
  factory: StoreFactory,
  options: ConformanceOptions = {},
): void {
  describe(`${name} store: ledger`, () => ledgerConformance(factory, options));
  describe(`${name} store: session content`, () => contentConformance(factory));
  describe(`${name} store: session pages`, () => sessionPageConformance(factory));
  describe(`${name} store: retention`, () => purgeConformance(factory));
  describe(`${name} store: event source`, () => eventSourceConformance(factory));
  describe(`${name} store: access`, () => accessConformance(factory));
  describe(`${name} store: approvals`, () => approvalConformance(factory));
  describe(`${name} store: approval deadlines and caps`, () => approvalDeadlineConformance(factory));
  describe(`${name} store: votes against the directory`, () => approvalLapseConformance(factory));
  describe(`${name} store: request sessions`, () => requestSessionConformance(factory));
  describe(`${name} store: SCIM provisioning`, () => scimConformance(factory));
  describe(`${name} store: replica leases`, () => replicaConformance(factory));
  describe(`${name} store: module state`, () => moduleStateConformance(factory));
}
