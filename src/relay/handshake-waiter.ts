// Awaitable messages from a socket, for the short request-response exchanges before a relay starts
// (a client's handshake, Vigil's login upstream). The same framer then goes on to the relay, so
// whatever the handshake read ahead stays in it.
import type { Duplex } from 'node:stream';
import { VigilError } from '../core/errors.js';
import type { MessageFramer } from './relay-protocol.js';

export interface HandshakeWaiterOptions {
  /**
   * Stop reading the socket once this many bytes wait unread in the framer; reading resumes when
   * the handshake asks for more. For a client's socket: while Vigil authenticates it and logs in
   * upstream, it reads nothing, and what a client sends meanwhile would otherwise pile up without
   * bound. The socket stays paused after `detach`: whoever reads it next resumes it (the relay
   * does, through its flow control). Unbounded when absent.
   */
  readonly pauseAboveBytes?: number;
}

export class HandshakeWaiter<M, F extends MessageFramer<M> = MessageFramer<M>> {
  readonly framer: F;
  readonly #socket: Duplex;
  readonly #phase: string;
  readonly #pauseAboveBytes: number;
  #wake: (() => void) | null = null;
  #closed: Error | null = null;
  #paused = false;
  readonly #onData = (chunk: Buffer) => {
    try {
      this.framer.push(chunk);
      if (this.framer.buffered >= this.#pauseAboveBytes) {
        this.#paused = true;
        this.#socket.pause();
      }
    } finally {
      this.#poke();
    }
  };
  readonly #onEnd = () => {
    this.#closed ??= new VigilError(
      'protocol_violation',
      `the peer closed the connection during ${this.#phase}`,
    );
    this.#poke();
  };
  readonly #onError = (err: Error) => {
    this.#closed ??= err;
    this.#poke();
  };

  /** `phase` names the exchange in the error a peer that leaves gets ("startup", "the handshake"). */
  constructor(socket: Duplex, framer: F, phase: string, options: HandshakeWaiterOptions = {}) {
    this.#socket = socket;
    this.framer = framer;
    this.#phase = phase;
    this.#pauseAboveBytes = options.pauseAboveBytes ?? Number.POSITIVE_INFINITY;
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onEnd);
    socket.on('error', this.#onError);
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Resolves with the first non-null `poll()`, waiting for more bytes between tries. */
  async take<T>(poll: (framer: F) => T | null): Promise<T> {
    for (;;) {
      const value = poll(this.framer);
      if (value !== null) return value;
      if (this.#closed) throw this.#closed;
      // More bytes are needed: read on (a framer refuses a message over its limit by its header).
      if (this.#paused) {
        this.#paused = false;
        this.#socket.resume();
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  next(): Promise<M> {
    return this.take((framer) => framer.next());
  }

  /** Stops listening; unread bytes stay in `framer`. */
  detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
  }
}

/** Rejects with `onTimeout()` unless `work` settles within `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
