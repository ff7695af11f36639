// Rows of the events and sessions tables as the ports return them (the mapping shared by the SQL
// stores, src/store/ledger-rows.ts), with PostgreSQL's bigint columns, which arrive as text, parsed
// exactly.
import type { SessionSummary, StoredEvent } from '../../core/events.js';
import type { RawEventRow } from '../../core/ports.js';
import {
  type EventTuple,
  rawEventRowOf,
  type SessionRow,
  sessionSummaryOf,
  storedEventOf,
} from '../ledger-rows.js';
import { safeInteger } from './pg-integers.js';

export { EVENT_COLUMNS, type EventTuple, type SessionRow } from '../ledger-rows.js';

export function rawEventRow(t: EventTuple): RawEventRow {
  return rawEventRowOf(t, safeInteger);
}

export function storedEvent(t: EventTuple): StoredEvent {
  return storedEventOf(rawEventRow(t));
}

export function sessionSummary(row: SessionRow): SessionSummary {
  return sessionSummaryOf(row, safeInteger);
}
