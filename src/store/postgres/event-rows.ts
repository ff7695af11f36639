// Rows of the events and sessions tables as the ports return them. Integers arrive as text (bigint)
// and are parsed exactly; text columns are returned as stored.
import type { Identity, JsonObject, SessionSummary, StoredEvent } from '../../core/events.js';
import type { RawEventRow } from '../../core/ports.js';
import { safeInteger } from './pg-integers.js';

export const EVENT_COLUMNS =
  'idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash';

/** An events row in EVENT_COLUMNS order, as pg gives it with rowMode 'array'. */
export type EventTuple = [
  idx: string,
  sessionId: string,
  seq: string,
  type: string,
  time: string,
  connection: string,
  subject: string,
  identity: string,
  payload: string | null,
  payloadHash: string,
  prevHash: string,
  hash: string,
];

export function rawEventRow(t: EventTuple): RawEventRow {
  return {
    index: safeInteger(t[0], 'events.idx'),
    sessionId: t[1],
    seq: safeInteger(t[2], 'events.seq'),
    type: t[3],
    time: t[4],
    connection: t[5],
    subject: t[6],
    identity: t[7],
    payload: t[8],
    payloadHash: t[9],
    prevHash: t[10],
    hash: t[11],
  };
}

export function storedEvent(t: EventTuple): StoredEvent {
  const raw = rawEventRow(t);
  return {
    index: raw.index,
    sessionId: raw.sessionId,
    seq: raw.seq,
    type: raw.type as StoredEvent['type'],
    time: raw.time,
    connection: raw.connection,
    identity: JSON.parse(raw.identity) as Identity,
    payload: raw.payload === null ? null : (JSON.parse(raw.payload) as JsonObject),
    payloadHash: raw.payloadHash,
    prevHash: raw.prevHash,
    hash: raw.hash,
  };
}

export interface SessionRow {
  id: string;
  connection: string;
  protocol: string;
  identity: string;
  started_at: string;
  last_event_at: string;
  ended_at: string | null;
  end_reason: string | null;
  event_count: string;
}

export function sessionSummary(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    connection: row.connection,
    protocol: row.protocol,
    identity: JSON.parse(row.identity) as Identity,
    startedAt: row.started_at,
    lastEventAt: row.last_event_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    eventCount: safeInteger(row.event_count, 'sessions.event_count'),
  };
}
