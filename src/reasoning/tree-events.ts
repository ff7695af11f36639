// What the tree reads of a session, as a store selection (Store.readSessionContent): model requests
// and responses, and the actions a turn may have proposed. A response's payload carries the upstream
// body whole (its choices a second time, usage twice) where the tree needs only its `id`; a request's
// tool definitions are never compared. Left out in the store, a 10,054-call session's read makes
// far fewer objects. What the passes read (calls.ts, actions.ts) must stay outside these paths: the
// test in test/reasoning/lean-read.test.ts rebuilds trees both ways and compares them.
import { TARGET_ACTION_TYPES } from '../core/actions.js';
import type { EventSelection } from '../core/ports.js';

export const TREE_EVENTS: EventSelection = {
  types: ['llm.request', 'llm.response', ...TARGET_ACTION_TYPES],
  omit: {
    'llm.request': ['body.tools'],
    'llm.response': ['usage', 'body.choices', 'body.content', 'body.output', 'body.usage'],
  },
};

/** The identity's other sessions are read for their actions only. */
export const ACTION_EVENTS: EventSelection = { types: TARGET_ACTION_TYPES };
