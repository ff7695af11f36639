// One append batch as column arrays, ready for `unnest`: a batch of any size is one INSERT with a
// fixed number of parameters (PostgreSQL allows at most 65535 per statement). Payloads are encoded
// with the canonical encoder the recorder hashed with (it hands the text over), so the stored text
// is exactly the hashed text.

import { canonicalJson } from '../../core/canonical-json.js';
import type { Identity, RecordedEvent } from '../../core/events.js';
import type { SessionMeta } from '../../core/ports.js';

export interface EventColumns {
  readonly seq: number[];
  readonly sessionId: string[];
  readonly type: string[];
  readonly time: string[];
  readonly connection: string[];
  readonly subject: string[];
  readonly identity: string[];
  /** Null where the payload is kept in object storage. */
  readonly payload: (string | null)[];
  readonly payloadHash: string[];
  readonly prevHash: string[];
  readonly hash: string[];
  readonly payloadObject: (string | null)[];
}

export interface SessionColumns {
  readonly id: string[];
  readonly connection: string[];
  readonly protocol: string[];
  readonly subject: string[];
  readonly identity: string[];
  readonly startedAt: string[];
  readonly replica: (string | null)[];
}

/** The sessions index after the batch, per session it touched. */
export interface TouchColumns {
  readonly id: string[];
  readonly lastEventAt: string[];
  readonly added: number[];
  readonly nextSeq: number[];
  readonly lastHash: string[];
}

export interface EndColumns {
  readonly id: string[];
  readonly endedAt: string[];
  readonly reason: (string | null)[];
}

export interface AppendColumns {
  readonly events: EventColumns;
  /** Sessions whose first event is in the batch. */
  readonly newSessions: SessionColumns;
  readonly touched: TouchColumns;
  readonly ended: EndColumns;
}

export function appendColumns(
  events: readonly RecordedEvent[],
  sessions: readonly SessionMeta[],
): AppendColumns {
  const metas = new Map(sessions.map((s) => [s.id, s]));
  const ev: EventColumns = {
    seq: [],
    sessionId: [],
    type: [],
    time: [],
    connection: [],
    subject: [],
    identity: [],
    payload: [],
    payloadHash: [],
    prevHash: [],
    hash: [],
    payloadObject: [],
  };
  const fresh: SessionColumns = {
    id: [],
    connection: [],
    protocol: [],
    subject: [],
    identity: [],
    startedAt: [],
    replica: [],
  };
  const ended: EndColumns = { id: [], endedAt: [], reason: [] };
  const touched = new Map<string, { at: string; added: number; nextSeq: number; lastHash: string }>();
  let identityOf: Identity | null = null;
  let identityJson = '';
  for (const e of events) {
    if (e.identity !== identityOf) {
      identityOf = e.identity;
      identityJson = JSON.stringify(e.identity);
    }
    if (e.seq === 0) {
      fresh.id.push(e.sessionId);
      fresh.connection.push(e.connection);
      const meta = metas.get(e.sessionId);
      fresh.protocol.push(meta?.protocol ?? 'unknown');
      fresh.subject.push(e.identity.subject);
      fresh.identity.push(identityJson);
      fresh.startedAt.push(e.time);
      fresh.replica.push(meta?.replica ?? null);
    }
    ev.seq.push(e.seq);
    ev.sessionId.push(e.sessionId);
    ev.type.push(e.type);
    ev.time.push(e.time);
    ev.connection.push(e.connection);
    ev.subject.push(e.identity.subject);
    ev.identity.push(identityJson);
    ev.payload.push(e.payloadObject === undefined ? canonicalJson(e.payload) : null);
    ev.payloadObject.push(e.payloadObject ?? null);
    ev.payloadHash.push(e.payloadHash);
    ev.prevHash.push(e.prevHash);
    ev.hash.push(e.hash);
    const t = touched.get(e.sessionId);
    if (t) {
      t.at = e.time;
      t.added++;
      t.nextSeq = e.seq + 1;
      t.lastHash = e.hash;
    } else {
      touched.set(e.sessionId, { at: e.time, added: 1, nextSeq: e.seq + 1, lastHash: e.hash });
    }
    if (e.type === 'session.end') {
      ended.id.push(e.sessionId);
      ended.endedAt.push(e.time);
      ended.reason.push(typeof e.payload.reason === 'string' ? e.payload.reason : null);
    }
  }
  const touch: TouchColumns = { id: [], lastEventAt: [], added: [], nextSeq: [], lastHash: [] };
  for (const [id, t] of touched) {
    touch.id.push(id);
    touch.lastEventAt.push(t.at);
    touch.added.push(t.added);
    touch.nextSeq.push(t.nextSeq);
    touch.lastHash.push(t.lastHash);
  }
  return { events: ev, newSessions: fresh, touched: touch, ended };
}
