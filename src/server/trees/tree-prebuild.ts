// Builds a reasoning session's tree before anyone asks for it, so the first person to open a
// 10,000-call Tree-of-Thoughts run in the console does not wait seconds for the rebuild. A session
// qualifies once this gateway has recorded `minCalls` model responses for it, and its tree is
// built (in the tree builder thread) when it has been quiet for `quietMs`: a run that is still
// going would make the tree stale at once. Rebuilds of one session are spaced by ten times the
// last one's duration, so a run that pauses often costs the builder thread a tenth of a core at most.
// Only this gateway's commits are seen: on another replica the first reader builds the tree.
import type { RecordedEvent } from '../../core/events.js';

export interface TreePrebuildOptions {
  readonly minCalls?: number;
  readonly quietMs?: number;
  /** How many sessions are followed at once (the oldest is forgotten first). */
  readonly maxSessions?: number;
}

interface Followed {
  calls: number;
  timer: NodeJS.Timeout | null;
  building: boolean;
  /** No new build before this time (ms since the epoch). */
  notBefore: number;
}

const DEFAULTS = { minCalls: 500, quietMs: 2_000, maxSessions: 10_000 };
const SPACING = 10;

export class TreePrebuilder {
  readonly #build: (sessionId: string) => Promise<void>;
  readonly #onError: (err: unknown, sessionId: string) => void;
  readonly #options: Required<TreePrebuildOptions>;
  readonly #sessions = new Map<string, Followed>();
  #closed = false;

  constructor(
    build: (sessionId: string) => Promise<void>,
    onError: (err: unknown, sessionId: string) => void,
    options: TreePrebuildOptions = {},
  ) {
    this.#build = build;
    this.#onError = onError;
    this.#options = { ...DEFAULTS, ...options };
  }

  /** A recorder commit listener. */
  readonly committed = (events: readonly RecordedEvent[]): void => {
    if (this.#closed) return;
    for (const event of events) if (event.type === 'llm.response') this.#count(event.sessionId);
  };

  #count(sessionId: string): void {
    let followed = this.#sessions.get(sessionId);
    if (!followed) {
      followed = { calls: 0, timer: null, building: false, notBefore: 0 };
      this.#sessions.set(sessionId, followed);
      if (this.#sessions.size > this.#options.maxSessions) this.#forget(this.#sessions.keys().next().value!);
    }
    followed.calls++;
    if (followed.calls >= this.#options.minCalls) this.#wait(sessionId, followed, this.#options.quietMs);
  }

  #wait(sessionId: string, followed: Followed, ms: number): void {
    if (followed.timer) clearTimeout(followed.timer);
    followed.timer = setTimeout(() => this.#fire(sessionId, followed), ms);
    followed.timer.unref();
  }

  #fire(sessionId: string, followed: Followed): void {
    followed.timer = null;
    if (this.#closed || this.#sessions.get(sessionId) !== followed) return;
    const early = followed.notBefore - Date.now();
    // A build under way, or one too recent: try again after it (a newer state needs a newer tree).
    if (followed.building || early > 0) {
      this.#wait(sessionId, followed, Math.max(early, this.#options.quietMs));
      return;
    }
    followed.building = true;
    const started = Date.now();
    this.#build(sessionId)
      .catch((err: unknown) => this.#onError(err, sessionId))
      .finally(() => {
        followed.building = false;
        followed.notBefore = Date.now() + SPACING * (Date.now() - started);
      });
  }

  #forget(sessionId: string): void {
    const followed = this.#sessions.get(sessionId);
    if (followed?.timer) clearTimeout(followed.timer);
    this.#sessions.delete(sessionId);
  }

  close(): void {
    this.#closed = true;
    for (const id of [...this.#sessions.keys()]) this.#forget(id);
  }
}
