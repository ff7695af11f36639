// Compares a rebuilt tree with a workload's own log: node ids are mapped from Vigil request ids to
// call ordinals by request order (the workloads call the model one request at a time).
import type { StoredEvent } from '../../src/core/events.js';
import type { ReasoningTree } from '../../src/reasoning/index.js';
import { type TrueTreeLog, thoughtKey } from './true-tree.js';

export interface TreeComparison {
  readonly precision: number;
  readonly recall: number;
  readonly missingEdges: string[];
  readonly extraEdges: string[];
  readonly evaluationMismatches: string[];
  readonly statusMismatches: string[];
  readonly finalNode: string | null;
  readonly toOrdinal: (nodeId: string) => string;
}

export function compareTrees(
  tree: ReasoningTree,
  log: TrueTreeLog,
  events: readonly StoredEvent[],
): TreeComparison {
  const ordinals = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'llm.request' && e.payload && typeof e.payload.requestId === 'string') {
      ordinals.set(e.payload.requestId, ordinals.size);
    }
  }
  const toOrdinal = (nodeId: string) => {
    const at = nodeId.lastIndexOf(':');
    return `${ordinals.get(nodeId.slice(0, at))}:${nodeId.slice(at + 1)}`;
  };
  const truth = new Set(log.edges.map((e) => `${e.from}->${e.to}`));
  const rebuilt = new Set(tree.edges.map((e) => `${toOrdinal(e.from)}->${toOrdinal(e.to)}`));
  const hits = [...rebuilt].filter((e) => truth.has(e)).length;

  const evaluationMismatches: string[] = [];
  const rebuiltEvaluations = new Map(
    tree.evaluations.map((ev) => [
      ordinals.get(ev.requestId)!,
      new Set(ev.targets.map((t) => thoughtKey({ node: toOrdinal(t.nodeId), line: t.line }))),
    ]),
  );
  for (const [ordinal, thoughts] of log.evaluations) {
    const want = [...new Set(thoughts.map(thoughtKey))].sort();
    const got = [...(rebuiltEvaluations.get(ordinal) ?? [])].sort();
    if (want.join() !== got.join()) evaluationMismatches.push(`eval ${ordinal}: want ${want} got ${got}`);
  }
  for (const ordinal of rebuiltEvaluations.keys()) {
    if (!log.evaluations.has(ordinal)) evaluationMismatches.push(`eval ${ordinal}: not an evaluation`);
  }

  const rebuiltStatus = new Map<string, string>();
  for (const node of tree.nodes) {
    for (const t of node.thoughts)
      rebuiltStatus.set(thoughtKey({ node: toOrdinal(node.id), line: t.line }), t.status);
  }
  const statusMismatches: string[] = [];
  for (const [key, status] of log.status) {
    if (rebuiltStatus.get(key) !== status)
      statusMismatches.push(`${key}: want ${status} got ${rebuiltStatus.get(key)}`);
  }
  return {
    precision: rebuilt.size === 0 ? 1 : hits / rebuilt.size,
    recall: truth.size === 0 ? 1 : hits / truth.size,
    missingEdges: [...truth].filter((e) => !rebuilt.has(e)),
    extraEdges: [...rebuilt].filter((e) => !truth.has(e)),
    evaluationMismatches,
    statusMismatches,
    finalNode: tree.finalNodeId ? toOrdinal(tree.finalNodeId) : null,
    toOrdinal,
  };
}
