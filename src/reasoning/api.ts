// What the admin API routes return, as pure functions over a session's events (all of them, or
// only the tree's: Store.readSessionContent with TREE_EVENTS gives the same tree, faster):
//   GET /api/sessions/:id/tree              → sessionTreeJson(id, events)
//   GET /api/sessions/:id/tree/path?node=N  → { sessionId, path: outcomePath(tree, N) }
import type { EventContent } from '../core/events.js';
import { type ActionLink, linkActions } from './actions.js';
import { buildReasoningTree } from './build-tree.js';
import type { OutcomePath } from './outcome-path.js';
import type { ReasoningTree } from './types.js';

export interface SessionTreeJson {
  sessionId: string;
  tree: ReasoningTree;
  actions: ActionLink[];
}

export interface SessionPathJson {
  sessionId: string;
  path: OutcomePath;
}

/**
 * `actionEvents` may add events of other sessions (the same identity's database or SSH sessions)
 * so their statements can be linked to the turns that proposed them.
 */
export function sessionTreeJson(
  sessionId: string,
  events: readonly EventContent[],
  actionEvents: readonly EventContent[] = [],
): SessionTreeJson {
  const tree = buildReasoningTree(events, { sessionId });
  return { sessionId, tree, actions: linkActions(tree, [...events, ...actionEvents]) };
}
