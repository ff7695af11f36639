// Which model call a call descends from, for span parenthood: the reasoning tree's edges (the same
// rebuild `vigil tree` shows) read call to call. A span has one parent while the tree is a DAG, so
// the strongest edge becomes the parent and the others links; evaluation calls (value, vote), which
// score thoughts rather than continue them, hang off the session and link to what they scored.
import type { StoredEvent } from '../core/events.js';
import { buildReasoningTree } from '../reasoning/index.js';

export interface CallRelations {
  /** The request id of the call this one continues; absent when it starts from the task. */
  readonly parent: string | null;
  /** Request ids of further parents and, for evaluations, of the calls evaluated. */
  readonly links: readonly string[];
}

export function reasoningRelations(events: readonly StoredEvent[]): Map<string, CallRelations> {
  const tree = buildReasoningTree(events);
  const requestOf = new Map<string, string>();
  for (const node of tree.nodes) requestOf.set(node.id, node.requestId);

  const candidates = new Map<string, { request: string; confidence: number }[]>();
  for (const edge of tree.edges) {
    const from = requestOf.get(edge.from);
    const to = requestOf.get(edge.to);
    if (!from || !to || from === to) continue;
    const list = candidates.get(to) ?? [];
    if (!list.some((c) => c.request === from)) list.push({ request: from, confidence: edge.confidence });
    candidates.set(to, list);
  }
  const out = new Map<string, CallRelations>();
  for (const [request, list] of candidates) {
    // Stable: the strongest edge, the first recorded among equals.
    const best = list.reduce((a, b) => (b.confidence > a.confidence ? b : a));
    out.set(request, {
      parent: best.request,
      links: list.filter((c) => c !== best).map((c) => c.request),
    });
  }
  for (const evaluation of tree.evaluations) {
    const scored = new Set<string>();
    for (const target of evaluation.targets) {
      const request = requestOf.get(target.nodeId);
      if (request && request !== evaluation.requestId) scored.add(request);
    }
    if (!out.has(evaluation.requestId)) out.set(evaluation.requestId, { parent: null, links: [...scored] });
  }
  return out;
}
