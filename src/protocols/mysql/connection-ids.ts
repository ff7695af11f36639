// The connection ids Vigil gives its MySQL clients, and what each one's KILL reaches. A client
// learns its id from the greeting and hands it to a second connection to stop a statement (the
// `mariadb` client's Ctrl-C sends `KILL QUERY <id>`); Vigil finds the connection here and stops its
// server thread, whose id only Vigil knows. A connection can be stopped only by its own identity,
// through the same Vigil connection on the same gateway; any other id is unknown, as a server says
// of a thread that is not there.
import { randomInt } from 'node:crypto';
import { type Identity, sameIdentity } from '../../core/events.js';
import type { KillRequest } from './kill-statement.js';

export interface KillTarget {
  /** Whose connection it is (kind and subject): only they may stop it. */
  readonly owner: Pick<Identity, 'subject' | 'kind'>;
  readonly sessionId: string;
  /** Stops the running statement or ends the connection, on the server. */
  kill(mode: KillRequest['mode']): Promise<void>;
}

const MAX_ID = 0x7fff_ffff;

export class ConnectionIds {
  readonly #live = new Map<number, KillTarget>();

  /** An id no live connection has (the greeting's). */
  allocate(): number {
    for (;;) {
      const id = randomInt(1, MAX_ID);
      if (!this.#live.has(id)) return id;
    }
  }

  /** From the moment the client is in; returns the unregistration. */
  register(id: number, target: KillTarget): () => void {
    // Two handshakes drawing the same free id at once: the first keeps it.
    if (this.#live.has(id)) return () => undefined;
    this.#live.set(id, target);
    return () => {
      if (this.#live.get(id) === target) this.#live.delete(id);
    };
  }

  /**
   * The live connection `id` if `caller` owns it; otherwise nothing, as for an unknown id. The kind
   * counts: the user `deploy` does not stop the service account `deploy`'s connection, nor the reverse.
   */
  find(id: number, caller: Pick<Identity, 'subject' | 'kind'>): KillTarget | undefined {
    const target = this.#live.get(id);
    return target && sameIdentity(target.owner, caller) ? target : undefined;
  }
}
