// The tree a workload knows it built, logged client-side, keyed by call ordinal (the n-th model
// call of the run, from 0) so it can be compared with a tree rebuilt from recorded traffic.

/** `${callOrdinal}:${choiceIndex}` */
export type TrueNodeId = string;

export interface TrueThought {
  readonly node: TrueNodeId;
  /** Line of the reply; null when the reply is one thought (one non-empty line or a whole text). */
  readonly line: number | null;
}

export class TrueTreeLog {
  readonly nodes: TrueNodeId[] = [];
  readonly edges: { from: TrueNodeId; to: TrueNodeId }[] = [];
  /** Evaluation call ordinal → the thoughts it judged (cached values count for every thought). */
  readonly evaluations = new Map<number, TrueThought[]>();
  readonly status = new Map<string, 'kept' | 'pruned'>();
  final: TrueThought | null = null;
  /** Node path from the root to the final node. */
  outcomePath: TrueNodeId[] = [];
  #calls = 0;
  /** Upstream response id of each call ordinal, for x-vigil-parent hints. */
  readonly responseIds: string[] = [];

  nextCall(responseId: string): number {
    this.responseIds.push(responseId);
    return this.#calls++;
  }

  /** The name a client can put in x-vigil-parent for a node: the upstream response id and choice. */
  hintName(node: TrueNodeId): string {
    const [ordinal, choice] = node.split(':');
    return `${this.responseIds[Number(ordinal)]}:${choice}`;
  }

  addNode(node: TrueNodeId, parent: TrueNodeId | null): void {
    this.nodes.push(node);
    if (parent) this.edges.push({ from: parent, to: node });
  }

  evaluate(callOrdinal: number, thought: TrueThought): void {
    const list = this.evaluations.get(callOrdinal) ?? [];
    list.push(thought);
    this.evaluations.set(callOrdinal, list);
  }

  setStatus(thought: TrueThought, status: 'kept' | 'pruned'): void {
    this.status.set(thoughtKey(thought), status);
  }

  pathTo(node: TrueNodeId): TrueNodeId[] {
    const path = [node];
    for (let current = node; ; ) {
      const edge = this.edges.find((e) => e.to === current);
      if (!edge) break;
      path.unshift(edge.from);
      current = edge.from;
    }
    return path;
  }
}

export function thoughtKey(t: TrueThought): string {
  return `${t.node}#${t.line ?? '*'}`;
}

/** The line a workload reports for a thought, normalized as the tree builder does. */
export function lineOf(reply: string, line: number): number | null {
  return reply.split('\n').filter((l) => l.trim() !== '').length <= 1 ? null : line;
}
