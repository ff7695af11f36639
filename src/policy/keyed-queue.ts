// Runs tasks one at a time per key, in arrival order; different keys run concurrently. Used so a
// reviewer's vote, a timeout and a withdrawal of the same request never interleave.
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
