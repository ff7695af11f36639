// Values per thought, a thought being (node id, line or null for the whole reply). A 10,000-call
// tree has some 80,000 evaluation targets; keying a flat map by `${nodeId}#${line}` built and hashed
// a new string for every lookup, which the profile of a cold rebuild showed as its largest pass.
// Node ids are strings the tree already holds (their hashes are cached), lines are small numbers.

export class ThoughtMap<T> {
  readonly #byNode = new Map<string, Map<number, T>>();

  get(nodeId: string, line: number | null): T | undefined {
    return this.#byNode.get(nodeId)?.get(line ?? -1);
  }

  set(nodeId: string, line: number | null, value: T): void {
    let lines = this.#byNode.get(nodeId);
    if (!lines) {
      lines = new Map();
      this.#byNode.set(nodeId, lines);
    }
    lines.set(line ?? -1, value);
  }
}
