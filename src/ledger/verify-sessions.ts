// The verifier's view of every session's chain as far as the log has been taken: the seq and hash
// the session's next event must continue from. Events are taken one by one (the sequential checks
// in verify.ts), or a worker's whole range at once from its per-session summary (verify-range.ts):
// a range is stitched on only when each of its sessions continues exactly where its chain stands.
import { GENESIS_HASH } from './chain.js';
import type { SessionRuns } from './verify-range.js';

export interface SessionState {
  nextSeq: number;
  lastHash: string;
  ended: boolean;
}

export class SessionChains {
  /** In the order of each session's first event in the log (the report lists them so). */
  readonly #states = new Map<string, SessionState>();

  /** The session's state, a new chain from genesis when the log has not met it yet. */
  of(sessionId: string): SessionState {
    let state = this.#states.get(sessionId);
    if (!state) {
      state = { nextSeq: 0, lastHash: GENESIS_HASH, ended: false };
      this.#states.set(sessionId, state);
    }
    return state;
  }

  /** Events of the session taken so far. */
  found(sessionId: string): number {
    return this.#states.get(sessionId)?.nextSeq ?? 0;
  }

  /** Whether each session of a range begins with the seq and prev-hash its chain stands at. */
  continuedBy(runs: SessionRuns): boolean {
    for (let i = 0; i < runs.ids.length; i++) {
      const state = this.#states.get(runs.ids[i]!);
      const nextSeq = state?.nextSeq ?? 0;
      const lastHash = state?.lastHash ?? GENESIS_HASH;
      if (runs.firstSeqs[i] !== nextSeq || runs.firstPrevHashes[i] !== lastHash) return false;
    }
    return true;
  }

  /** Takes a range that continuedBy accepted. */
  extend(runs: SessionRuns): void {
    for (let i = 0; i < runs.ids.length; i++) {
      const state = this.of(runs.ids[i]!);
      state.nextSeq = runs.lastSeqs[i]! + 1;
      state.lastHash = runs.lastHashes[i]!;
      if (runs.ended[i]) state.ended = true;
    }
  }

  get size(): number {
    return this.#states.size;
  }

  /** Sessions with no session.end, in the order the log met them. */
  incomplete(): string[] {
    const ids: string[] = [];
    for (const [id, state] of this.#states) if (!state.ended) ids.push(id);
    return ids;
  }
}
