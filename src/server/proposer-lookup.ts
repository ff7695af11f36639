// Which model turn proposed a held statement or command: the approval request names it so a reviewer
// sees the reasoning behind the action. The same linking as `vigil tree` (reasoning/actions.ts),
// run over the requester's recent model sessions at the moment the action is held.
import type { EventType, JsonObject, StoredEvent } from '../core/events.js';
import type { Store } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import { ACTION_TYPES, linkActions } from '../reasoning/actions.js';
import { buildReasoningTree } from '../reasoning/build-tree.js';

/** How far back, and how many of the requester's model sessions, are searched. */
const WINDOW_MS = 3_600_000;
const MAX_SESSIONS = 5;

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
      .filter((s) => modelConnections.has(s.connection))
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
    for (const s of sessions) {
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
