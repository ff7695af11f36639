// One append as one PostgreSQL transaction. Positions are assigned here, not by the caller: the
// transaction first moves the one-row ledger head by the batch's size (which locks the row until
// commit), then numbers its events from the old head. Writers in several processes therefore get
// disjoint positions, commit in position order, and a rollback gives its positions back (gap-free).
// Why this design and what it costs: docs/adr/0007-ledger-positions-in-the-store-transaction.md.
import type pg from 'pg';
import type { AppendColumns } from './append-columns.js';
import { safeInteger } from './pg-integers.js';

const MOVE_HEAD = 'UPDATE ledger_head SET size = size + $1 RETURNING size';

const INSERT_SESSIONS = `
  INSERT INTO sessions (id, connection, protocol, subject, identity, started_at, last_event_at, event_count, next_seq, last_hash, replica)
  SELECT id, connection, protocol, subject, identity, started_at, started_at, 0, 0, '', replica
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
      AS t(id, connection, protocol, subject, identity, started_at, replica)
  ON CONFLICT (id) DO NOTHING`;

// WITH ORDINALITY numbers the rows 1..n in array order: the event's position is first + n - 1.
const INSERT_EVENTS = `
  INSERT INTO events (idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash, payload_object)
  SELECT $1::bigint + t.n - 1, t.session_id, t.seq, t.type, t.time, t.connection, t.subject, t.identity, t.payload,
         t.payload_hash, t.prev_hash, t.hash, t.payload_object
    FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::text[])
      WITH ORDINALITY AS t(session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash, payload_object, n)`;

const TOUCH_SESSIONS = `
  UPDATE sessions s SET last_event_at = t.at, event_count = s.event_count + t.added, next_seq = t.next_seq,
         last_hash = t.last_hash
    FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[]) AS t(id, at, added, next_seq, last_hash)
   WHERE s.id = t.id`;

const END_SESSIONS = `
  UPDATE sessions s SET ended_at = t.ended_at, end_reason = t.reason
    FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, ended_at, reason)
   WHERE s.id = t.id`;

/** Writes the batch inside the caller's open transaction; returns the first position it was given. */
export async function appendInTransaction(client: pg.PoolClient, batch: AppendColumns): Promise<number> {
  const count = batch.events.seq.length;
  const moved = await client.query(MOVE_HEAD, [count]);
  const first = safeInteger((moved.rows[0] as { size: unknown }).size, 'ledger_head.size') - count;
  const s = batch.newSessions;
  if (s.id.length > 0)
    await client.query(INSERT_SESSIONS, [
      s.id,
      s.connection,
      s.protocol,
      s.subject,
      s.identity,
      s.startedAt,
      s.replica,
    ]);
  const e = batch.events;
  await client.query(INSERT_EVENTS, [
    first,
    e.sessionId,
    e.seq,
    e.type,
    e.time,
    e.connection,
    e.subject,
    e.identity,
    e.payload,
    e.payloadHash,
    e.prevHash,
    e.hash,
    e.payloadObject,
  ]);
  const t = batch.touched;
  await client.query(TOUCH_SESSIONS, [t.id, t.lastEventAt, t.added, t.nextSeq, t.lastHash]);
  const end = batch.ended;
  if (end.id.length > 0) await client.query(END_SESSIONS, [end.id, end.endedAt, end.reason]);
  return first;
}
