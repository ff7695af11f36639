// The last few rebuilt reasoning trees, so opening nodes one after another does not rebuild a
// 10,000-call tree each time. A tree is kept for one state of its session (its last event) and one
// purge generation, so a live session's next event, or a purge, makes it stale. Who may read a
// session is checked before the cache is.
// A build in progress is shared: readers who open the same cold tree at once (two people, two tabs)
// wait for one rebuild, not one each (a rebuild of a 10,000-call tree is seconds of CPU).
import type { SessionSummary } from '../../core/events.js';
import type { SessionTreeJson } from '../../reasoning/index.js';

const versionOf = (s: Pick<SessionSummary, 'eventCount' | 'lastEventAt'>, generation: string) =>
  `${s.eventCount}:${s.lastEventAt}:${generation}`;

export class TreeCache {
  readonly #size: number;
  readonly #entries = new Map<string, { version: string; json: Promise<SessionTreeJson>; built: boolean }>();

  constructor(size = 4) {
    this.#size = size;
  }

  /** Whether the tree of the session in this state is built and kept. */
  holds(session: Pick<SessionSummary, 'id' | 'eventCount' | 'lastEventAt'>, generation = ''): boolean {
    const hit = this.#entries.get(session.id);
    return hit?.built === true && hit.version === versionOf(session, generation);
  }

  get(
    session: Pick<SessionSummary, 'id' | 'eventCount' | 'lastEventAt'>,
    build: () => Promise<SessionTreeJson>,
    /** Anything else the tree depends on (the purge generation): another value builds again. */
    generation = '',
  ): Promise<SessionTreeJson> {
    const version = versionOf(session, generation);
    const hit = this.#entries.get(session.id);
    if (hit && hit.version === version) {
      // Most recently used last.
      this.#entries.delete(session.id);
      this.#entries.set(session.id, hit);
      return hit.json;
    }
    const entry = { version, json: build(), built: false };
    // A failed build is not kept: the next reader tries again.
    entry.json.then(
      () => {
        entry.built = true;
      },
      () => {
        if (this.#entries.get(session.id) === entry) this.#entries.delete(session.id);
      },
    );
    this.#entries.delete(session.id);
    this.#entries.set(session.id, entry);
    while (this.#entries.size > this.#size) this.#entries.delete(this.#entries.keys().next().value!);
    return entry.json;
  }
}
