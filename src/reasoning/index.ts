// Reasoning trees: rebuild Tree-of-Thoughts and chain-of-thought runs from recorded model traffic.
export { actionEventsAround } from './action-events.js';
export { ACTION_CONFIDENCE, ACTION_EVIDENCE, ACTION_TYPES, type ActionLink, linkActions } from './actions.js';
export { type SessionPathJson, type SessionTreeJson, sessionTreeJson } from './api.js';
export { buildReasoningTree } from './build-tree.js';
export { EDGE_CONFIDENCE } from './edges.js';
export { QUOTE_CONFIDENCE } from './evaluations.js';
export { type OutcomePath, type OutcomeStep, outcomePath } from './outcome-path.js';
export { renderPath, renderTree } from './render.js';
export { ACTION_EVENTS, TREE_EVENTS } from './tree-events.js';
export * from './types.js';
export { parseVerdict, VALUE_WORD_SCORES } from './verdicts.js';
