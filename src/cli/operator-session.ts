// What the CLI does to the store from its own process is recorded as any access is: a short `cli`
// session of the local operating-system user (`local:USER@HOST`), whose events are written before
// the store changes. Whoever can run the CLI can write the files: the record says who did, from where.
import { hostname, userInfo } from 'node:os';
import {
  type EventType,
  type Identity,
  type JsonObject,
  nowIso,
  type RecordedEvent,
} from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Store } from '../core/ports.js';
import { Recorder } from '../ledger/recorder.js';

/** The local operator, as every CLI record names it. */
export function localOperator(): Identity {
  return { subject: `local:${userInfo().username}@${hostname()}`, kind: 'user', groups: [] };
}

export class OperatorSession {
  readonly #recorder: Recorder;
  readonly #base: { sessionId: string; connection: string; identity: Identity };

  private constructor(recorder: Recorder, identity: Identity) {
    this.#recorder = recorder;
    this.#base = { sessionId: newId('s'), connection: 'cli', identity };
  }

  /** Opens the session (its session.start recorded) for `identity`, the local operator by default. */
  static async open(store: Store, identity: Identity = localOperator()): Promise<OperatorSession> {
    const recorder = new Recorder(store);
    await recorder.init();
    const session = new OperatorSession(recorder, identity);
    await recorder.append(
      { ...session.#base, type: 'session.start', time: nowIso(), payload: { protocol: 'cli' } },
      'cli',
    );
    return session;
  }

  get identity(): Identity {
    return this.#base.identity;
  }

  record(type: EventType, payload: JsonObject): Promise<RecordedEvent> {
    return this.#recorder.append({ ...this.#base, type, time: nowIso(), payload });
  }

  async close(): Promise<void> {
    await this.record('session.end', { reason: 'closed' });
  }
}
