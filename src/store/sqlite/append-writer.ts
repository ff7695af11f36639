// Writes prepared append batches in one transaction each. Runs on the main thread or, by default,
// in a worker thread (append-worker.ts), so that a commit's fsync never blocks the event loop.
import type Database from 'better-sqlite3';
import type { AppendBatch } from './append-rows.js';
import { retryBusySync } from './busy-retry.js';

export type WriteBatch = (batch: AppendBatch) => void;

export function createBatchWriter(db: Database.Database): WriteBatch {
  const insertEvent = db.prepare(
    `INSERT INTO events (idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash, payload_object)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSession = db.prepare(
    `INSERT OR IGNORE INTO sessions (id, connection, protocol, subject, identity, started_at, last_event_at, event_count, next_seq, last_hash, replica)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, '', ?)`,
  );
  const touchSession = db.prepare(
    'UPDATE sessions SET last_event_at = ?, event_count = event_count + ?, next_seq = ?, last_hash = ? WHERE id = ?',
  );
  const endSession = db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?');
  const insertCheckpoint = db.prepare(
    'INSERT INTO checkpoints (size, root, time, key_id, signature) VALUES (?, ?, ?, ?, ?)',
  );
  const write = db.transaction((batch: AppendBatch) => {
    for (const s of batch.newSessions) insertSession.run(s[0], s[1], s[2], s[3], s[4], s[5], s[5], s[6]);
    for (const row of batch.events) insertEvent.run(row);
    for (const t of batch.touched) touchSession.run(t);
    for (const e of batch.ended) endSession.run(e);
    for (const c of batch.checkpoints) insertCheckpoint.run(c);
  });
  // A batch that met SQLITE_BUSY rolled back whole: written again rather than failed (closed).
  return (batch) => retryBusySync(() => write(batch));
}
