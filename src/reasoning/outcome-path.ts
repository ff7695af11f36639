// The path that led to an outcome: from a root to a node, the prompt and reply at each step, the
// thought each step continued, what judged it, and the alternatives left beside it.
import { VigilError } from '../core/errors.js';
import {
  EDGE_EVIDENCE,
  type EdgeCertainty,
  type EdgeEvidence,
  type ReasoningEdge,
  type ReasoningTree,
  type ThoughtStatus,
} from './types.js';

export interface PathAlternative {
  nodeId: string;
  line: number | null;
  text: string;
  status: ThoughtStatus;
  score: number | null;
}

export interface OutcomeStep {
  nodeId: string;
  depth: number;
  prompt: string;
  response: string;
  /** The reasoning the model showed before the response; '' when none (or a tree kept before it was). */
  reasoning: string;
  /** The thought of this reply the next step continued (for the last step, its best thought). */
  thought: { line: number | null; text: string; score: number | null } | null;
  /** How this step was linked to the previous one; null for the root. */
  evidence: EdgeEvidence | null;
  confidence: number | null;
  /**
   * `ambiguous`: the evidence left several possible parents and the path followed the best guess
   * (the edge's `from`); `candidates` names them all. null for the root.
   */
  certainty: EdgeCertainty | null;
  /** The possible previous steps (`nodeId` or `nodeId#line`), the one followed first; [] for the root. */
  candidates: string[];
  evaluations: { evaluationId: string; kind: string; score: number; verdicts: (string | null)[] }[];
  /** Other thoughts of this reply and the other choices of its request. */
  alternatives: PathAlternative[];
}

export interface OutcomePath {
  target: string;
  steps: OutcomeStep[];
}

/** The most confident edge; of equals, a certain one, then the stronger evidence. */
function bestEdge(edges: readonly ReasoningEdge[]): ReasoningEdge {
  return [...edges].sort(
    (a, b) =>
      b.confidence - a.confidence ||
      Number(a.certainty === 'ambiguous') - Number(b.certainty === 'ambiguous') ||
      EDGE_EVIDENCE.indexOf(a.evidence) - EDGE_EVIDENCE.indexOf(b.evidence),
  )[0]!;
}

export function outcomePath(tree: ReasoningTree, nodeId?: string): OutcomePath {
  const target = nodeId ?? tree.finalNodeId;
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  if (!target || !byId.has(target)) {
    throw new VigilError(
      'usage',
      target ? `no node ${target} in this session's tree` : 'the session has no model calls',
      {
        details: { node: target ?? null },
      },
    );
  }
  const incoming = new Map<string, ReasoningEdge[]>();
  for (const e of tree.edges) {
    const list = incoming.get(e.to) ?? [];
    list.push(e);
    incoming.set(e.to, list);
  }
  const evaluationById = new Map(tree.evaluations.map((e) => [e.id, e]));

  const chain: { nodeId: string; via: ReasoningEdge | null }[] = [];
  const seen = new Set<string>();
  for (let id: string | null = target; id !== null && !seen.has(id); ) {
    seen.add(id);
    const parents = incoming.get(id);
    const via = parents ? bestEdge(parents) : null;
    chain.push({ nodeId: id, via });
    id = via?.from ?? null;
  }
  chain.reverse();

  const steps = chain.map(({ nodeId: id, via }, i): OutcomeStep => {
    const node = byId.get(id)!;
    const next = chain[i + 1]?.via ?? null;
    const chosen = next
      ? (node.thoughts.find((t) => t.line === next.fromLine) ?? null)
      : ([...node.thoughts].sort((a, b) => (b.score ?? -1) - (a.score ?? -1))[0] ?? null);
    const evaluations = chosen
      ? chosen.evaluations.map((evId) => {
          const ev = evaluationById.get(evId)!;
          const score = ev.targets
            .filter((t) => t.nodeId === id && t.line === chosen.line)
            .reduce((a, t) => a + t.score, 0);
          return { evaluationId: evId, kind: ev.kind, score, verdicts: ev.outputs.map((o) => o.verdict) };
        })
      : [];
    const alternatives: PathAlternative[] = node.thoughts
      .filter((t) => t !== chosen)
      .map((t) => ({ nodeId: id, line: t.line, text: t.text, status: t.status, score: t.score }));
    for (const sibling of tree.nodes) {
      if (sibling.requestId !== node.requestId || sibling.id === id) continue;
      alternatives.push({
        nodeId: sibling.id,
        line: null,
        text: sibling.response,
        status: sibling.status,
        score: sibling.thoughts.reduce<number | null>(
          (a, t) => (t.score === null ? a : (a ?? 0) + t.score),
          null,
        ),
      });
    }
    return {
      nodeId: id,
      depth: node.depth,
      prompt: node.prompt,
      response: node.response,
      reasoning: typeof node.reasoning === 'string' ? node.reasoning : '',
      thought: chosen ? { line: chosen.line, text: chosen.text, score: chosen.score } : null,
      evidence: via?.evidence ?? null,
      confidence: via?.confidence ?? null,
      // Trees built before edges carried a certainty read as certain.
      certainty: via ? (via.certainty ?? 'certain') : null,
      candidates: via
        ? (via.candidates ?? []).map((c) => (c.fromLine === null ? c.from : `${c.from}#${c.fromLine}`))
        : [],
      evaluations,
      alternatives,
    };
  });
  return { target, steps };
}
