// Rows of the events and sessions tables as the ports return them: the same columns in every SQL
// backend, so one mapping serves them all. Integer columns arrive as the driver gives them (a
// number from SQLite, bigint text from PostgreSQL); each backend says how to read one exactly.
import type { Identity, JsonObject, SessionSummary, StoredEvent } from '../core/events.js';
import type { RawEventRow, SessionRecord } from '../core/ports.js';

export const EVENT_COLUMNS =
  'idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash, payload_object';

/** Reads an integer column's value exactly, or throws naming the column. */
export type IntegerOf = (value: unknown, column: string) => number;

/** An events row in EVENT_COLUMNS order, as a driver gives it in array mode. */
export type EventTuple = [
  idx: number | string,
  sessionId: string,
  seq: number | string,
  type: string,
  time: string,
  connection: string,
  subject: string | null,
  identity: string,
  payload: string | null,
  payloadHash: string,
  prevHash: string,
  hash: string,
  payloadObject: string | null,
];

/** Text columns exactly as stored: verification hashes these bytes. */
export function rawEventRowOf(t: EventTuple, integer: IntegerOf): RawEventRow {
  return {
    index: integer(t[0], 'events.idx'),
    sessionId: t[1],
    seq: integer(t[2], 'events.seq'),
    type: t[3],
    time: t[4],
    connection: t[5],
    subject: t[6],
    identity: t[7],
    payload: t[8],
    payloadHash: t[9],
    prevHash: t[10],
    hash: t[11],
    payloadObject: t[12],
  };
}

/** The sessions columns verification compares with each session's first event. */
export const SESSION_RECORD_COLUMNS =
  'id, connection, subject, identity, started_at, event_count, protocol, ended_at, end_reason';

/** A sessions row in SESSION_RECORD_COLUMNS order, as a driver gives it in array mode. */
export type SessionRecordTuple = [
  id: string,
  connection: string,
  subject: string,
  identity: string,
  startedAt: string,
  eventCount: unknown,
  protocol: string,
  endedAt: string | null,
  endReason: string | null,
];

export function sessionRecordOf(t: SessionRecordTuple, integer: IntegerOf): SessionRecord {
  const [id, connection, subject, identity, startedAt, count, protocol, endedAt, endReason] = t;
  return {
    id,
    connection,
    subject,
    identity,
    startedAt,
    eventCount: integer(count, 'sessions.event_count'),
    protocol,
    endedAt,
    endReason,
  };
}

export function storedEventOf(raw: RawEventRow): StoredEvent {
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
    // Only where a row names an object: an inline or purged payload reads as it always did.
    ...(raw.payloadObject ? { payloadObject: raw.payloadObject } : {}),
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
  event_count: number | string;
}

export function sessionSummaryOf(row: SessionRow, integer: IntegerOf): SessionSummary {
  return {
    id: row.id,
    connection: row.connection,
    protocol: row.protocol,
    identity: JSON.parse(row.identity) as Identity,
    startedAt: row.started_at,
    lastEventAt: row.last_event_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
    eventCount: integer(row.event_count, 'sessions.event_count'),
  };
}
