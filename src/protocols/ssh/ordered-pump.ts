// Handles a channel's incoming data strictly in order: while the handling of one chunk waits (an
// action being judged, recorded or held for review), later chunks queue behind it and the channel
// stops reading once the queue is full, so nothing after a held action reaches the host first and
// a client cannot make Vigil buffer without limit.
import type { Duplex } from 'node:stream';

export class OrderedPump {
  readonly #source: Duplex;
  readonly #handle: (chunk: Buffer) => Promise<void> | undefined;
  readonly #onError: (err: unknown) => void;
  readonly #maxQueued: number;
  readonly #queue: Buffer[] = [];
  #queued = 0;
  #busy = false;
  #stopped = false;
  #onDrained: (() => void) | null = null;

  constructor(
    source: Duplex,
    handle: (chunk: Buffer) => Promise<void> | undefined,
    onError: (err: unknown) => void,
    maxQueued = 1024 * 1024,
  ) {
    this.#source = source;
    this.#handle = handle;
    this.#onError = onError;
    this.#maxQueued = maxQueued;
    source.on('data', (chunk: Buffer) => this.push(chunk));
  }

  /** Runs `then` once everything queued so far has been handled. */
  end(then: () => void): void {
    if (this.#stopped) return;
    if (!this.#busy && this.#queue.length === 0) then();
    else this.#onDrained = then;
  }

  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  push(chunk: Buffer): void {
    if (this.#stopped) return;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued > this.#maxQueued) this.#source.pause();
    if (!this.#busy) this.#run();
  }

  #run(): void {
    while (this.#queue.length > 0 && !this.#stopped) {
      const chunk = this.#queue.shift()!;
      this.#queued -= chunk.length;
      let pending: Promise<void> | undefined;
      try {
        pending = this.#handle(chunk);
      } catch (err) {
        this.#fail(err);
        return;
      }
      if (pending) {
        this.#busy = true;
        pending.then(
          () => {
            this.#busy = false;
            this.#resume();
            this.#run();
          },
          (err: unknown) => this.#fail(err),
        );
        return;
      }
    }
    this.#resume();
    if (this.#queue.length === 0 && this.#onDrained && !this.#stopped) {
      const then = this.#onDrained;
      this.#onDrained = null;
      then();
    }
  }

  #resume(): void {
    if (this.#queued <= this.#maxQueued && this.#source.isPaused() && !this.#stopped) this.#source.resume();
  }

  #fail(err: unknown): void {
    this.#stopped = true;
    this.#queue.length = 0;
    this.#onError(err);
  }
}
