// Awaitable frames from a socket, for the short request-response exchanges of the startup phase
// (client handshake, upstream authentication). The running session reads frames with listeners.
import type { Duplex } from 'node:stream';
import { VigilError } from '../../core/errors.js';
import type { Frame, FrameReader } from './frame-reader.js';

export class FrameWaiter {
  readonly reader: FrameReader;
  readonly #socket: Duplex;
  #wake: (() => void) | null = null;
  #closed: Error | null = null;
  readonly #onData = (chunk: Buffer) => {
    try {
      this.reader.push(chunk);
    } finally {
      this.#poke();
    }
  };
  readonly #onEnd = () => {
    this.#closed ??= new VigilError('protocol_violation', 'the peer closed the connection during startup');
    this.#poke();
  };
  readonly #onError = (err: Error) => {
    this.#closed ??= err;
    this.#poke();
  };

  constructor(socket: Duplex, reader: FrameReader) {
    this.#socket = socket;
    this.reader = reader;
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

  async #wait(): Promise<void> {
    if (this.#closed) throw this.#closed;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  async next(): Promise<Frame> {
    for (;;) {
      const frame = this.reader.next();
      if (frame) return frame;
      await this.#wait();
    }
  }

  async nextByte(): Promise<number> {
    for (;;) {
      const byte = this.reader.takeByte();
      if (byte !== null) return byte;
      await this.#wait();
    }
  }

  /** Stops listening; unread bytes stay in `reader`. */
  detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
  }
}

/** Rejects with `timeoutError` unless `work` settles within `ms`. */
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
