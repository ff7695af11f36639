// buildReasoningTree: recorded model traffic → the tree (a DAG) of the reasoning it carried.
// Pure: events in, JSON-ready data out.
import type { EventContent } from '../core/events.js';
import { buildContext } from './context.js';
import { ParentFinder, sameClientConnection } from './edges.js';
import { buildEvaluations } from './evaluations.js';
import { selectThoughts } from './selection.js';
import { ThoughtMap } from './thought-map.js';
import type { BuildTreeOptions, ReasoningEdge, ReasoningNode, ReasoningTree } from './types.js';

export function buildReasoningTree(
  events: readonly EventContent[],
  options: BuildTreeOptions = {},
): ReasoningTree {
  const ignoreHints = options.ignoreHints ?? false;
  const ctx = buildContext(events);
  const evaluations = buildEvaluations(ctx, ignoreHints);

  const scores = new ThoughtMap<number>();
  for (const ev of evaluations) {
    for (const t of ev.targets) scores.set(t.nodeId, t.line, (scores.get(t.nodeId, t.line) ?? 0) + t.score);
  }
  const finder = new ParentFinder(
    ctx,
    ignoreHints,
    (ref) => scores.get(ctx.nodes[ref.nodeIndex]!.id, ref.line) ?? 0,
  );

  const edges: ReasoningEdge[] = [];
  const depth = new Array<number>(ctx.nodes.length).fill(0);
  const hasParent = new Array<boolean>(ctx.nodes.length).fill(false);
  ctx.calls.forEach((_call, callIndex) => {
    const own = ctx.nodesOfCall[callIndex]!;
    if (own.length === 0) return;
    const parents = finder.parentsOf(callIndex);
    const candidateLists = parents.map((link) =>
      (link.candidates ?? [link.parent]).map((ref) => ({
        from: ctx.nodes[ref.nodeIndex]!.id,
        fromLine: ref.line,
        sameClientConnection: sameClientConnection(ctx, callIndex, ref.nodeIndex),
      })),
    );
    for (const nodeIndex of own) {
      for (const [k, link] of parents.entries()) {
        edges.push({
          from: ctx.nodes[link.parent.nodeIndex]!.id,
          to: ctx.nodes[nodeIndex]!.id,
          fromLine: link.parent.line,
          evidence: link.evidence,
          confidence: round(link.confidence),
          certainty: link.candidates ? 'ambiguous' : 'certain',
          // The n choices of a request share their parents' candidates: one list, copied per edge
          // so the JSON a caller edits is its own.
          candidates: candidateLists[k]!.map((c) => ({ ...c })),
        });
        depth[nodeIndex] = Math.max(depth[nodeIndex]!, depth[link.parent.nodeIndex]! + 1);
        hasParent[nodeIndex] = true;
      }
    }
  });

  const thoughts = selectThoughts({
    nodes: ctx.nodes.map((n, i) => ({
      id: n.id,
      depth: depth[i]!,
      lines: n.lines,
      singleLine: n.singleLine,
    })),
    edges,
    evaluations,
  });

  const nodes: ReasoningNode[] = ctx.nodes.map((n, i) => {
    const call = ctx.calls[n.callIndex]!;
    const choice = call.choices.find((c) => c.index === n.choiceIndex)!;
    const own = thoughts[i]!;
    return {
      id: n.id,
      requestId: call.requestId,
      choiceIndex: n.choiceIndex,
      seq: call.seq,
      time: call.time,
      api: call.api,
      model: call.model,
      prompt: call.prompt,
      response: n.text,
      reasoning: choice.reasoning,
      toolCalls: choice.toolCalls.map((t) => ({ name: t.name, arguments: t.arguments })),
      depth: depth[i]!,
      status: own.some((t) => t.status === 'kept') ? 'kept' : 'pruned',
      thoughts: own.map((t) => ({
        line: t.line,
        text: t.line === null ? n.text : n.lines[t.line]!,
        status: t.status,
        score: t.score === null ? null : round(t.score),
        evaluations: t.evaluations,
      })),
    };
  });

  const finalNodeId = chooseFinal(nodes, edges, evaluations.at(-1)?.seq ?? -1);
  const final = nodes.find((n) => n.id === finalNodeId);
  if (final && final.status === 'pruned') {
    final.status = 'kept';
    for (const t of final.thoughts) t.status = 'kept';
  }
  return {
    sessionId: events[0]?.sessionId ?? options.sessionId ?? null,
    nodes,
    edges,
    evaluations,
    roots: nodes.filter((_n, i) => !hasParent[i]).map((n) => n.id),
    finalNodeId,
  };
}

/**
 * The outcome: a generation call made after the last evaluation is the answer (a final write-up);
 * otherwise the best-scored kept leaf, the earliest of equals, as a greedy search returns it.
 */
function chooseFinal(
  nodes: readonly ReasoningNode[],
  edges: readonly ReasoningEdge[],
  lastEvaluationSeq: number,
) {
  if (nodes.length === 0) return null;
  const last = nodes.reduce((a, b) =>
    b.seq > a.seq || (b.seq === a.seq && b.choiceIndex < a.choiceIndex) ? b : a,
  );
  const withChildren = new Set(edges.map((e) => e.from));
  if (last.seq > lastEvaluationSeq && !withChildren.has(last.id)) return last.id;
  let best: { id: string; score: number } | null = null;
  for (const node of nodes) {
    if (withChildren.has(node.id)) continue;
    for (const t of node.thoughts) {
      if (t.status !== 'kept' || t.score === null) continue;
      if (!best || t.score > best.score) best = { id: node.id, score: t.score };
    }
  }
  return best?.id ?? last.id;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
