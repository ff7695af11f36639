// Ground truth for several runs recorded in ONE session: each run's own log (keyed by its call
// ordinals) is translated to the session's request ids (the gateway returns each call's id), then the rebuilt tree is scored the way ambiguous edges
// are meant to be read: a certain edge must be right, a wrong edge must be ambiguous and name the
// true parent among its candidates.
import type { ReasoningTree } from '../../src/reasoning/index.js';
import { type TrueTreeLog, thoughtKey } from './true-tree.js';

export interface ConcurrentTruth {
  /** Child node id → its true parent node id, over all runs. */
  readonly parentOf: ReadonlyMap<string, string>;
  /** Evaluation request id → the thought keys (`nodeId#line`) it truly judged. */
  readonly judged: ReadonlyMap<string, ReadonlySet<string>>;
  /** Node id → the run it belongs to. */
  readonly runOf: ReadonlyMap<string, number>;
  /** Request id → the run that sent it. */
  readonly runOfRequest: ReadonlyMap<string, number>;
  /** A run's node (`ordinal:choice`) as the session's node id (`requestId:choice`). */
  readonly nodeId: (run: number, ordinalNode: string) => string;
}

/**
 * `requestIds[run][ordinal]`: the Vigil request id of each call of each run, in the run's call order,
 * as the gateway returned it (`x-vigil-request-id`).
 */
export function concurrentTruth(
  logs: readonly TrueTreeLog[],
  requestIds: readonly (readonly string[])[],
): ConcurrentTruth {
  const parentOf = new Map<string, string>();
  const judged = new Map<string, Set<string>>();
  const runOf = new Map<string, number>();
  const runOfRequest = new Map<string, number>();
  const nodeId = (run: number, ordinalNode: string) => {
    const [ordinal, choice] = ordinalNode.split(':');
    const requestId = requestIds[run]![Number(ordinal)];
    if (!requestId) throw new Error(`run ${run} call ${ordinal} has no request id`);
    return `${requestId}:${choice}`;
  };
  logs.forEach((log, run) => {
    const node = (ordinalNode: string) => nodeId(run, ordinalNode);
    log.responseIds.forEach((_id, ordinal) => {
      runOfRequest.set(node(`${ordinal}:0`).replace(/:0$/, ''), run);
    });
    for (const n of log.nodes) runOf.set(node(n), run);
    for (const e of log.edges) parentOf.set(node(e.to), node(e.from));
    for (const [ordinal, thoughts] of log.evaluations) {
      const requestId = node(`${ordinal}:0`).replace(/:0$/, '');
      const set = judged.get(requestId) ?? new Set<string>();
      for (const t of thoughts) set.add(thoughtKey({ node: node(t.node), line: t.line }));
      judged.set(requestId, set);
    }
  });
  return { parentOf, judged, runOf, runOfRequest, nodeId };
}

export interface ConcurrentScore {
  readonly certainEdges: number;
  readonly ambiguousEdges: number;
  /** Correct certain edges / certain edges. */
  readonly certainPrecision: number;
  /** True edges found as a certain edge, or among an ambiguous edge's candidates / true edges. */
  readonly recall: number;
  /** Wrong edges (parent differs from the truth) that are certain, or ambiguous without the truth. */
  readonly unflaggedWrongEdges: string[];
  readonly wrongEdges: number;
  /** Ambiguous edges whose best guess (`from`) is the true parent. */
  readonly ambiguousGuessedRight: number;
  /** Edges whose candidates span more than one run: the cross-run ties this work is about. */
  readonly crossRunAmbiguous: number;
  readonly evaluationTargets: number;
  /** Evaluation targets that are not what the call judged and are not marked ambiguous. */
  readonly unflaggedWrongTargets: string[];
  readonly wrongTargets: number;
}

export function scoreConcurrent(tree: ReasoningTree, truth: ConcurrentTruth): ConcurrentScore {
  let certainEdges = 0;
  let certainRight = 0;
  let ambiguousEdges = 0;
  let ambiguousGuessedRight = 0;
  let crossRunAmbiguous = 0;
  let wrongEdges = 0;
  const unflaggedWrongEdges: string[] = [];
  const found = new Set<string>();
  for (const e of tree.edges) {
    const want = truth.parentOf.get(e.to);
    const right = want === e.from;
    if (e.certainty === 'certain') {
      certainEdges++;
      if (right) {
        certainRight++;
        found.add(e.to);
      }
    } else {
      ambiguousEdges++;
      if (right) ambiguousGuessedRight++;
      if (want !== undefined && e.candidates.some((c) => c.from === want)) found.add(e.to);
      if (new Set(e.candidates.map((c) => truth.runOf.get(c.from))).size > 1) crossRunAmbiguous++;
    }
    if (!right) {
      wrongEdges++;
      const flagged = e.certainty === 'ambiguous' && e.candidates.some((c) => c.from === want);
      if (!flagged)
        unflaggedWrongEdges.push(`${e.from} -> ${e.to} (${e.certainty}; truth ${want ?? 'none'})`);
    }
  }
  let evaluationTargets = 0;
  let wrongTargets = 0;
  const unflaggedWrongTargets: string[] = [];
  for (const ev of tree.evaluations) {
    const want = truth.judged.get(ev.requestId) ?? new Set<string>();
    for (const t of ev.targets) {
      evaluationTargets++;
      if (want.has(thoughtKey({ node: t.nodeId, line: t.line }))) continue;
      wrongTargets++;
      if (t.certainty !== 'ambiguous') unflaggedWrongTargets.push(`${ev.requestId} -> ${t.nodeId}#${t.line}`);
    }
  }
  return {
    certainEdges,
    ambiguousEdges,
    certainPrecision: certainEdges === 0 ? 1 : certainRight / certainEdges,
    recall: truth.parentOf.size === 0 ? 1 : found.size / truth.parentOf.size,
    unflaggedWrongEdges,
    wrongEdges,
    ambiguousGuessedRight,
    crossRunAmbiguous,
    evaluationTargets,
    unflaggedWrongTargets,
    wrongTargets,
  };
}
