// Which side of a relayed connection is read, so memory stays bounded whatever either peer does:
// - the target's write buffer is full → the client is not read (its bytes would pile up in Vigil);
// - the client's write buffer is full → the target is not read;
// - while a message is judged, the client is still read so that its leaving is noticed at once,
//   but only up to a read-ahead bound;
// - the target owes answers to too many messages (the protocol's backlog) → the client is not read.
import type { Socket } from 'node:net';

export interface FlowSockets {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Bytes read from the client and not yet taken as messages. */
  readonly clientBuffered: () => number;
}

export class FlowControl {
  readonly #sockets: FlowSockets;
  readonly #readAheadBytes: number;
  #waiting = false;
  #backlogged = false;
  #upstreamFull = false;
  #clientFull = false;
  #stopped = false;

  constructor(sockets: FlowSockets, readAheadBytes: number) {
    this.#sockets = sockets;
    this.#readAheadBytes = readAheadBytes;
  }

  /** A message is being judged: later ones wait, and read-ahead is bounded. */
  set waiting(waiting: boolean) {
    this.#waiting = waiting;
    this.update();
  }

  get waiting(): boolean {
    return this.#waiting;
  }

  /** The protocol's backlog of unanswered messages is full: the client is not read until it is not. */
  set backlogged(backlogged: boolean) {
    if (this.#backlogged === backlogged) return;
    this.#backlogged = backlogged;
    this.update();
  }

  get backlogged(): boolean {
    return this.#backlogged;
  }

  /** The target's socket refused more: stop reading the client until it drains. */
  upstreamFull(): void {
    if (this.#upstreamFull) return;
    this.#upstreamFull = true;
    this.update();
    this.#sockets.upstream.once('drain', () => {
      this.#upstreamFull = false;
      this.update();
    });
  }

  /** The client's socket refused more: stop reading the target until it drains. */
  clientFull(): void {
    if (this.#clientFull) return;
    this.#clientFull = true;
    this.#sockets.upstream.pause();
    this.#sockets.client.once('drain', () => {
      this.#clientFull = false;
      if (!this.#stopped) this.#sockets.upstream.resume();
    });
  }

  /** The client is read unless the target lags, or it has sent a lot while a message waits. */
  update(): void {
    if (this.#stopped) return;
    const readAheadFull = this.#waiting && this.#sockets.clientBuffered() >= this.#readAheadBytes;
    if (this.#upstreamFull || readAheadFull || this.#backlogged) this.#sockets.client.pause();
    else this.#sockets.client.resume();
  }

  /** The connection is closing: nothing is paused or resumed any more. */
  stop(): void {
    this.#stopped = true;
  }
}
