// Which thoughts the run kept. A thought that a later prompt continues was kept. The last layer has
// no later prompts, so there the run's own ranking is replayed: its evaluated thoughts are ranked by
// score and as many kept as the run kept per layer before (its beam width).
import { ThoughtMap } from './thought-map.js';
import type { ReasoningEdge, ReasoningEvaluation, ThoughtStatus } from './types.js';

export interface SelectionInput {
  /** Node ids in request order, with each node's depth and non-empty reply lines. */
  readonly nodes: readonly { id: string; depth: number; lines: readonly string[]; singleLine: boolean }[];
  readonly edges: readonly ReasoningEdge[];
  readonly evaluations: readonly ReasoningEvaluation[];
}

export interface SelectedThought {
  readonly nodeIndex: number;
  readonly line: number | null;
  status: ThoughtStatus;
  score: number | null;
  readonly evaluations: string[];
}

/** The thoughts of every node, in node order, with their status and score. */
export function selectThoughts(input: SelectionInput): SelectedThought[][] {
  const referencedLines = new Map<string, Set<number>>();
  const mark = (nodeId: string, line: number | null) => {
    if (line === null) return;
    let set = referencedLines.get(nodeId);
    if (!set) {
      set = new Set();
      referencedLines.set(nodeId, set);
    }
    set.add(line);
  };
  for (const e of input.edges) mark(e.from, e.fromLine);
  for (const ev of input.evaluations) for (const t of ev.targets) mark(t.nodeId, t.line);

  const byKey = new ThoughtMap<SelectedThought>();
  const thoughts = input.nodes.map((node, nodeIndex) => {
    const lines: (number | null)[] = [];
    if (!node.singleLine && referencedLines.has(node.id)) {
      node.lines.forEach((text, i) => {
        if (text.trim() !== '') lines.push(i);
      });
    } else {
      lines.push(null);
    }
    return lines.map((line) => {
      const t: SelectedThought = { nodeIndex, line, status: 'pruned', score: null, evaluations: [] };
      byKey.set(node.id, line, t);
      return t;
    });
  });

  for (const ev of input.evaluations) {
    for (const target of ev.targets) {
      const t = byKey.get(target.nodeId, target.line);
      if (!t) continue;
      t.score = (t.score ?? 0) + target.score;
      if (!t.evaluations.includes(ev.id)) t.evaluations.push(ev.id);
    }
  }

  const nodeIndexById = new Map(input.nodes.map((n, i) => [n.id, i]));
  for (const e of input.edges) {
    const own = thoughts[nodeIndexById.get(e.from)!]!;
    const exact = byKey.get(e.from, e.fromLine);
    // A child that continued a whole multi-line reply keeps every line of it.
    for (const t of exact ? [exact] : own) t.status = 'kept';
  }

  const keptPerDepth = new Map<number, number>();
  const evaluatedPerDepth = new Map<number, SelectedThought[]>();
  for (const list of thoughts) {
    for (const t of list) {
      const depth = input.nodes[t.nodeIndex]!.depth;
      if (t.status === 'kept') keptPerDepth.set(depth, (keptPerDepth.get(depth) ?? 0) + 1);
      if (t.score !== null) {
        const layer = evaluatedPerDepth.get(depth) ?? [];
        layer.push(t);
        evaluatedPerDepth.set(depth, layer);
      }
    }
  }
  const beam = Math.max(1, ...keptPerDepth.values());
  for (const [depth, layer] of evaluatedPerDepth) {
    if ((keptPerDepth.get(depth) ?? 0) > 0) continue;
    const ranked = [...layer].sort(
      (a, b) => b.score! - a.score! || a.nodeIndex - b.nodeIndex || (a.line ?? -1) - (b.line ?? -1),
    );
    for (const t of ranked.slice(0, beam)) t.status = 'kept';
  }
  return thoughts;
}
