// How long events wait between their durable commit and the first signed checkpoint that covers
// them: the window in which an insider could still drop them unseen. Kept per commit batch.
// Uncovered batches are bounded too: a replica that does not sign never sees its commits covered
// here, and neither does a checkpointer stalled at a hole, while commits go on (one entry per
// batch, without end). Past the bound, neighbouring batches are merged, each pair counted from its
// older commit: the lag is then overstated for some events, never understated.

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
  readonly #maxPending: number;

  constructor(maxSamples = 100_000, maxPending = 65_536) {
    this.#maxSamples = maxSamples;
    this.#maxPending = Math.max(2, maxPending);
  }

  /** Commit batches not yet covered by a checkpoint (at most the bound given). */
  get pendingBatches(): number {
    return this.#pending.length - this.#head;
  }

  committed(end: number, count: number, at: number): void {
    if (this.pendingBatches >= this.#maxPending) this.#mergePending();
    this.#pending.push({ end, count, committedAt: at });
  }

  /** Halves the uncovered batches: each pair becomes one, with the older commit time. */
  #mergePending(): void {
    const live = this.#pending.slice(this.#head);
    this.#pending.length = 0;
    this.#head = 0;
    for (let i = 0; i < live.length; i += 2) {
      const a = live[i]!;
      const b = live[i + 1];
      this.#pending.push(b ? { end: b.end, count: a.count + b.count, committedAt: a.committedAt } : a);
    }
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
