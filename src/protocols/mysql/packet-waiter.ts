// Awaitable packets from a socket, for the request-response exchanges of the connection phase
// (the client's handshake, Vigil's login upstream). The running session reads with the relay.
import type { Duplex } from 'node:stream';
import { VigilError } from '../../core/errors.js';
import type { ClientPacketFramer, LogicalPacket } from './packet-framer.js';

export class PacketWaiter {
  readonly framer: ClientPacketFramer;
  readonly #socket: Duplex;
  #wake: (() => void) | null = null;
  #closed: Error | null = null;
  readonly #onData = (chunk: Buffer) => {
    this.framer.push(chunk);
    this.#poke();
  };
  readonly #onEnd = () => {
    this.#closed ??= new VigilError(
      'protocol_violation',
      'the peer closed the connection during the handshake',
    );
    this.#poke();
  };
  readonly #onError = (err: Error) => {
    this.#closed ??= err;
    this.#poke();
  };

  constructor(socket: Duplex, framer: ClientPacketFramer) {
    this.#socket = socket;
    this.framer = framer;
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

  async next(): Promise<LogicalPacket> {
    for (;;) {
      const packet = this.framer.next();
      if (packet) return packet;
      if (this.#closed) throw this.#closed;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
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
