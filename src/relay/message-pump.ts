// Takes the client's messages one at a time and lets the protocol handle each. While the protocol's
// handling of one is pending (the action judged and recorded), what came before it is sent and
// everything after it waits: write-ahead, so the target never runs anything the ledger lacks.
import type { MessageFramer } from './relay-protocol.js';

export interface PumpSteps<M> {
  readonly framer: MessageFramer<M>;
  handle(message: M): Promise<void> | undefined;
  /** Sends the queued batch to the target. */
  flush(): void;
  /** The flow of client bytes changes with whether a message is pending. */
  setWaiting(waiting: boolean): void;
  /** True when no more messages may be taken until the target answers (the client is paused). */
  backlogged(): boolean;
  isClosed(): boolean;
  /** A message could not be framed or handled: the connection cannot go on. */
  failed(err: unknown): void;
}

export class MessagePump<M> {
  readonly #steps: PumpSteps<M>;
  #running = false;

  constructor(steps: PumpSteps<M>) {
    this.#steps = steps;
  }

  /** Runs until the framer has no complete message; a second call while running is a no-op. */
  async run(): Promise<void> {
    const steps = this.#steps;
    if (this.#running || steps.isClosed()) return;
    this.#running = true;
    try {
      for (;;) {
        if (steps.backlogged()) break;
        const message = steps.framer.next();
        if (message === null) break;
        const pending = steps.handle(message);
        if (pending) {
          steps.flush();
          steps.setWaiting(true);
          try {
            await pending;
          } finally {
            steps.setWaiting(false);
          }
          if (steps.isClosed()) return;
        }
      }
      steps.flush();
    } catch (err) {
      steps.failed(err);
    } finally {
      this.#running = false;
    }
  }
}
