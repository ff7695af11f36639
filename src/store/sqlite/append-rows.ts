// The rows one append batch writes, prepared on the caller's thread (payloads already canonical)
// so the writer, inline or in a worker thread, only binds and commits.

import { canonicalJson } from '../../core/canonical-json.js';
import type { Identity, RecordedEvent } from '../../core/events.js';
import type { SessionMeta } from '../../core/ports.js';

export type EventRowValues = [
  idx: number,
  sessionId: string,
  seq: number,
  type: string,
  time: string,
  connection: string,
  subject: string,
  identity: string,
  /** Null when the payload is kept in object storage (payloadObject). */
  payload: string | null,
  payloadHash: string,
  prevHash: string,
  hash: string,
  payloadObject: string | null,
];

export interface AppendBatch {
  readonly events: EventRowValues[];
  /** Sessions whose first event is in the batch: [id, connection, protocol, subject, identity, time, replica]. */
  readonly newSessions: [string, string, string, string, string, string, string | null][];
  /** The sessions index after the batch: [last_event_at, added events, next_seq, last_hash, id]. */
  readonly touched: [string, number, number, string, string][];
  /** Sessions the batch ends: [ended_at, reason, id]. */
  readonly ended: [string, string | null, string][];
  /**
   * Signed checkpoints: [size, root, time, key_id, signature]. They go through the same writer as
   * events, so one connection writes and a checkpoint never waits on the main thread for the lock.
   */
  readonly checkpoints: [number, string, string, string, string][];
}

/**
 * The identity column's text by identity object. A session's events share one identity object (a
 * gateway's session context holds it), and a batch interleaves many sessions, so the text is
 * written once per identity rather than once per event. Identities are immutable once recorded:
 * the recorder caches their hashed encoding the same way.
 */
const identityTexts = new WeakMap<Identity, string>();

function identityText(identity: Identity): string {
  let text = identityTexts.get(identity);
  if (text === undefined) {
    text = JSON.stringify(identity);
    identityTexts.set(identity, text);
  }
  return text;
}

export function prepareAppendBatch(
  events: readonly RecordedEvent[],
  sessions: readonly SessionMeta[],
): AppendBatch {
  const metas = new Map(sessions.map((s) => [s.id, s]));
  const batch: AppendBatch = { events: [], newSessions: [], touched: [], ended: [], checkpoints: [] };
  const touched = new Map<string, [string, number, number, string, string]>();
  for (const e of events) {
    const identityJson = identityText(e.identity);
    if (e.seq === 0) {
      const meta = metas.get(e.sessionId);
      batch.newSessions.push([
        e.sessionId,
        e.connection,
        meta?.protocol ?? 'unknown',
        e.identity.subject,
        identityJson,
        e.time,
        meta?.replica ?? null,
      ]);
    }
    batch.events.push([
      e.index,
      e.sessionId,
      e.seq,
      e.type,
      e.time,
      e.connection,
      e.identity.subject,
      identityJson,
      e.payloadObject === undefined ? canonicalJson(e.payload) : null,
      e.payloadHash,
      e.prevHash,
      e.hash,
      e.payloadObject ?? null,
    ]);
    const t = touched.get(e.sessionId);
    if (t) {
      t[0] = e.time;
      t[1]++;
      t[2] = e.seq + 1;
      t[3] = e.hash;
    } else {
      touched.set(e.sessionId, [e.time, 1, e.seq + 1, e.hash, e.sessionId]);
    }
    if (e.type === 'session.end') {
      batch.ended.push([e.time, typeof e.payload.reason === 'string' ? e.payload.reason : null, e.sessionId]);
    }
  }
  batch.touched.push(...touched.values());
  return batch;
}
