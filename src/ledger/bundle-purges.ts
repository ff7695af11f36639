// A bundle whose session has purged payloads carries the purge records that name them (each with
// its inclusion proof against the bundle's checkpoint), so the bundle verifies offline and a
// payload erased without a record is still a fault.
import type { StoredEvent } from '../core/events.js';
import type { EventSource, RawEventRow } from './event-source.js';
import { PurgeCoverage, parsePurgeRecord } from './purge-record.js';

/** The purge records covering the session's missing payloads; `beyond` when one is not yet checkpointed. */
export async function purgeRecordsFor(
  source: EventSource,
  events: readonly StoredEvent[],
  checkpointSize: number,
): Promise<{ rows: RawEventRow[]; beyond: boolean }> {
  const missing = events.filter((e) => e.payload === null);
  if (missing.length === 0) return { rows: [], beyond: false };
  let beyond = false;
  const rows = (await source.purgeRecords()).filter((row) => {
    if (row.payload === null) return false;
    const plan = parsePurgeRecord(row.payload);
    if (!plan) return false;
    const alone = new PurgeCoverage([{ ...plan, index: row.index }]);
    if (!missing.some((e) => alone.covers(e.index, e.time))) return false;
    if (row.index >= checkpointSize) {
      beyond = true;
      return false;
    }
    return true;
  });
  return { rows, beyond };
}

export function purgeEntries(rows: readonly RawEventRow[], proof: (index: number) => readonly string[]) {
  return rows.map((row) => ({
    index: row.index,
    session: row.sessionId,
    seq: row.seq,
    type: row.type,
    time: row.time,
    connection: row.connection,
    identity: JSON.parse(row.identity),
    payload_hash: row.payloadHash,
    payload: JSON.parse(row.payload!),
    prev_hash: row.prevHash,
    hash: row.hash,
    proof: proof(row.index),
  }));
}
