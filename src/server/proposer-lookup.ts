// Which model turn proposed a held statement or command: the approval request names it so a reviewer
// sees the reasoning behind the action. The same linking as `vigil tree` (reasoning/actions.ts),
// run over the requester's recent model sessions at the moment the action is held.
//
// The sessions are read and their trees built on the gateway's thread while the action waits, and
// the requester decides how long their sessions are: until 5 December a held action read up to five
// sessions of any size (a 10,000-call session took about 2 s), stalling every user's traffic. A
// session larger than MAX_SESSION_EVENTS (by its summary's count, known before reading) is skipped
// unread, and the thread is given back between sessions, so one lookup holds it for a bounded time.
import { type EventType, type JsonObject, type StoredEvent, sameIdentity } from '../core/events.js';
import type { Store } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import { ACTION_TYPES, linkActions } from '../reasoning/actions.js';
import { buildReasoningTree } from '../reasoning/build-tree.js';

/** How far back, and how many of the requester's model sessions, are searched. */
const WINDOW_MS = 3_600_000;
const MAX_SESSIONS = 5;
/**
 * The largest model session searched, in events: about 0.1 s of reading and tree building on the
 * gateway's thread. A proposer in a larger session is not found (the request has no `proposed_by`).
 */
export const MAX_SESSION_EVENTS = 1_000;

export type ProposerLookup = (
  ctx: EventContext,
  type: EventType,
  payload: JsonObject,
) => Promise<JsonObject | null>;

export function proposerLookup(store: Store, modelConnections: ReadonlySet<string>): ProposerLookup {
  return async (ctx, type, payload) => {
    if (!(ACTION_TYPES as readonly string[]).includes(type)) return null;
    const now = Date.now();
    const sessions = (
      await store.listSessions({
        identity: ctx.identity.subject,
        since: new Date(now - WINDOW_MS).toISOString(),
        limit: 50,
      })
    )
      // The listing is by subject: the service account `deploy`'s model sessions are not the user `deploy`'s.
      .filter(
        (s) =>
          sameIdentity(s.identity, ctx.identity) &&
          modelConnections.has(s.connection) &&
          s.eventCount <= MAX_SESSION_EVENTS,
      )
      .slice(0, MAX_SESSIONS);
    // The held action as it would be recorded now: linked like any recorded action, never stored.
    const action: StoredEvent = {
      type,
      sessionId: ctx.sessionId,
      connection: ctx.connection,
      identity: ctx.identity,
      time: new Date(now).toISOString(),
      payload,
      seq: -1,
      index: -1,
      payloadHash: '',
      prevHash: '',
      hash: '',
    };
    let best: JsonObject | null = null;
    let bestConfidence = 0;
    for (const [i, s] of sessions.entries()) {
      // Other connections' traffic runs between one session's tree and the next.
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const events = await store.readSession(s.id);
      const tree = buildReasoningTree(events);
      const link = linkActions(tree, [...events, action]).find((l) => l.actionSeq === -1);
      if (!link || link.confidence <= bestConfidence) continue;
      const node = tree.nodes.find((n) => n.id === link.nodeId);
      bestConfidence = link.confidence;
      best = {
        session_id: s.id,
        node_id: link.nodeId,
        request_id: node?.requestId ?? null,
        evidence: link.evidence,
        confidence: link.confidence,
      };
    }
    return best;
  };
}
