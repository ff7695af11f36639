// What every part of the store conformance suite shares: the factory a backend provides, a helper
// that always cleans up, and builders for events, approvals and grants.
import type { EventDraft, Identity, RecordedEvent } from '../../src/core/events.js';
import type { ApprovalRecord, ApprovalVote, GrantRecord, StoreBundle } from '../../src/core/ports.js';
import { payloadHash } from '../../src/ledger/chain.js';
import { Recorder } from '../../src/ledger/recorder.js';

/** A fresh, empty bundle, and how to get rid of it (close it and delete what it left behind). */
export interface StoreUnderTest {
  readonly store: StoreBundle;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

export interface ConformanceOptions {
  /**
   * Every payload is kept in object storage (`payloads.offload_above: 0`): session search, which
   * reads the store's payload column, then finds none of them (docs/object-storage.md).
   */
  readonly offloaded?: boolean;
}

export async function withStore<T>(
  factory: StoreFactory,
  body: (store: StoreBundle) => Promise<T>,
): Promise<T> {
  const { store, cleanup } = await factory();
  try {
    return await body(store);
  } finally {
    await cleanup();
  }
}

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const at = (ms: number): string => new Date(T0 + ms).toISOString();

export const identityOf = (subject: string): Identity => ({ subject, kind: 'user', groups: ['dev'] });

/** A draft at T0 + `ms`; the payload names the session and a counter, plus anything given. */
export function draft(
  sessionId: string,
  ms: number,
  overrides: Partial<EventDraft> & { readonly payload?: EventDraft['payload'] } = {},
): EventDraft {
  return {
    type: 'llm.request',
    sessionId,
    connection: 'openai',
    identity: identityOf('alice'),
    time: at(ms),
    payload: { session: sessionId, ms },
    ...overrides,
  };
}

/** A recorder over the bundle's ledger, as the gateway and the CLI use it. */
export async function recorderFor(store: StoreBundle): Promise<Recorder> {
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  return recorder;
}

/**
 * An event as a recorder would hand it to the store, built by hand so a test can append exactly
 * the batch it means (the store checks positions, not hashes).
 */
export function recordedEvent(index: number, sessionId: string, seq: number, ms = index): RecordedEvent {
  const hex = (n: number) => n.toString(16).padStart(64, '0');
  return {
    ...draft(sessionId, ms),
    seq,
    index,
    // The payload's real hash: a store may check what it reads back against it (offloaded payloads).
    payloadHash: payloadHash(draft(sessionId, ms).payload),
    prevHash: seq === 0 ? '0'.repeat(64) : hex(index * 3 + 2),
    hash: hex(index * 3 + 3),
  };
}

export function approval(id: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id,
    kind: 'action',
    status: 'pending',
    requester: { subject: 'alice', kind: 'user', groups: ['dev'] },
    connection: 'prod-db',
    sessionId: `session-${id}`,
    rule: 'hold-deletes',
    reason: 'DELETE without WHERE',
    subject: { type: 'db.query', payload: { sql: 'DELETE FROM t' } },
    approvers: ['group:dba', 'user:carol'],
    required: 1,
    createdAt: at(0),
    expiresAt: at(60_000),
    decidedAt: null,
    votes: [],
    actionDigest: null,
    ...overrides,
  };
}

export function vote(subject: string, decision: 'approve' | 'deny', ms: number): ApprovalVote {
  return {
    reviewer: { subject, kind: 'user', groups: ['dba'] },
    decision,
    reason: `${decision} by ${subject}`,
    at: at(ms),
  };
}

export function grant(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    subject: 'alice',
    subjectKind: 'user',
    connection: 'prod-db',
    approvalId: `a-${id}`,
    breakGlass: false,
    reason: 'incident 42',
    createdAt: at(0),
    expiresAt: at(3_600_000),
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  };
}
