// How long events wait between their durable commit and the first signed checkpoint that covers
// them: the window in which an insider could still drop them unseen. Kept per commit batch.

interface PendingBatch {
  /** Log size after the batch: a checkpoint of at least this size covers it. */
  readonly end: number;
  readonly count: number;
  readonly committedAt: number;
}

export interface LagStats {
  readonly events: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class CheckpointLag {
  readonly #pending: PendingBatch[] = [];
  #head = 0;
  // Covered batches as (lag, events); bounded so a long-running gateway does not grow it forever.
  #samples: { lagMs: number; count: number }[] = [];
  readonly #maxSamples: number;

  constructor(maxSamples = 100_000) {
    this.#maxSamples = maxSamples;
  }

  committed(end: number, count: number, at: number): void {
    this.#pending.push({ end, count, committedAt: at });
  }

  covered(size: number, at: number): void {
    while (this.#head < this.#pending.length && this.#pending[this.#head]!.end <= size) {
      const batch = this.#pending[this.#head++]!;
      this.#samples.push({ lagMs: at - batch.committedAt, count: batch.count });
    }
    if (this.#head > 1024) {
      this.#pending.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#samples.length > this.#maxSamples) this.#samples = this.#samples.slice(-this.#maxSamples / 2);
  }

  reset(): void {
    this.#samples = [];
  }

  stats(): LagStats {
    const sorted = [...this.#samples].sort((a, b) => a.lagMs - b.lagMs);
    const events = sorted.reduce((n, s) => n + s.count, 0);
    const at = (q: number): number => {
      if (events === 0) return 0;
      const rank = Math.ceil(q * events);
      let seen = 0;
      for (const s of sorted) {
        seen += s.count;
        if (seen >= rank) return s.lagMs;
      }
      return sorted[sorted.length - 1]!.lagMs;
    };
    return {
      events,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: sorted.length ? sorted[sorted.length - 1]!.lagMs : 0,
    };
  }
}
