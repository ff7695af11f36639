// One relayed TCP connection after its protocol's handshake: the client's socket, the target's
// socket, the session they belong to, and the protocol that reads them. The relay wires the
// sockets to the message pump and the flow control, batches what goes to the target, and is the
// one place a connection ends.
import type { Socket } from 'node:net';
import { toVigilError, type VigilError } from '../core/errors.js';
import type { JsonObject, SessionEndReason } from '../core/events.js';
import type { ModuleSession } from '../pipeline/module-context.js';
import { FlowControl } from './flow-control.js';
import { MessagePump } from './message-pump.js';
import type { Relay, RelayProtocol } from './relay-protocol.js';

/**
 * While a message waits (recording, review, the target's confirmation) the client is still read,
 * so that its leaving is noticed at once; what it sends meanwhile is kept up to this much.
 */
export const DEFAULT_READ_AHEAD_BYTES = 1024 * 1024;

/** A client that does not close after its farewell is dropped after this long. */
const FAREWELL_GRACE_MS = 1000;

export interface RelayEnds {
  /** The client, after the handshake (a TLSSocket is a Socket). */
  readonly client: Socket;
  /** The target, authenticated with the credential Vigil holds. */
  readonly upstream: Socket;
  readonly session: ModuleSession;
  readonly readAheadBytes?: number;
  /** Called once when the connection closes, after the protocol's own `onClosed`. */
  readonly onClosed?: () => void;
}

export class WriteAheadRelay<M> implements Relay {
  readonly #client: Socket;
  readonly #upstream: Socket;
  readonly #session: ModuleSession;
  readonly #onClosed: () => void;
  readonly #protocol: RelayProtocol<M>;
  readonly #flow: FlowControl;
  readonly #pump: MessagePump<M>;
  readonly #gone = new AbortController();
  #batch: Buffer[] = [];
  #unregisterCut: () => void = () => undefined;
  #closed = false;
  /** The target's socket was handed back (detachUpstream): closing leaves it open. */
  #upstreamKept = false;

  /** `protocol` receives the relay, so its handlers can forward, answer and close through it. */
  constructor(ends: RelayEnds, protocol: (relay: Relay) => RelayProtocol<M>) {
    this.#client = ends.client;
    this.#upstream = ends.upstream;
    this.#session = ends.session;
    this.#onClosed = ends.onClosed ?? (() => undefined);
    this.#protocol = protocol(this);
    const framer = this.#protocol.framer;
    this.#flow = new FlowControl(
      { client: ends.client, upstream: ends.upstream, clientBuffered: () => framer.buffered },
      ends.readAheadBytes ?? DEFAULT_READ_AHEAD_BYTES,
    );
    this.#pump = new MessagePump({
      framer,
      handle: (message) => this.#protocol.onClientMessage(message),
      flush: () => this.flushUpstream(),
      setWaiting: (waiting) => {
        this.#flow.waiting = waiting;
      },
      backlogged: () => {
        this.#flow.backlogged = this.#protocol.backlogFull?.() ?? false;
        return this.#flow.backlogged;
      },
      isClosed: () => this.#closed,
      failed: (err) => this.fail(toVigilError(err, 'protocol_violation')),
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get signal(): AbortSignal {
    return this.#gone.signal;
  }

  /** Starts relaying: first whatever the client sent during the handshake, then as bytes arrive. */
  start(): void {
    // The protocol may have ended the connection already (something its handshake read ahead).
    if (this.#closed) return;
    this.#unregisterCut = this.#session.onCut(this.#cut);
    this.#client.on('data', (chunk: Buffer) => {
      this.#protocol.framer.push(chunk);
      if (this.#flow.waiting) this.#flow.update();
      else void this.#pump.run();
    });
    this.#upstream.on('data', this.#fromUpstream);
    this.#client.on('close', () => this.close('client-closed'));
    this.#client.on('error', () => this.close('client-closed'));
    this.#upstream.on('close', this.#upstreamGone);
    this.#upstream.on('error', this.#upstreamGone);
    // A handshake may have paused the client; from here on the flow control decides.
    this.#flow.update();
    void this.#pump.run();
  }

  readonly #fromUpstream = (chunk: Buffer) => {
    if (this.#closed) return;
    this.#protocol.onUpstreamData(chunk);
    // Answers came: a client held back by the backlog may be read again.
    if (this.#flow.backlogged && !this.#protocol.backlogFull?.()) {
      this.#flow.backlogged = false;
      void this.#pump.run();
    }
  };

  readonly #upstreamGone = () => this.close('closed');

  /**
   * The client said goodbye while nothing was in flight: the connection closes as usual on the
   * client's side, and the target's socket, still open and no longer read by the relay, is handed
   * back to the protocol to keep for a later session. Null if the connection already closed, or the
   * target's socket still has bytes to send or is paused by flow control.
   */
  detachUpstream(): Socket | null {
    const upstream = this.#upstream;
    if (this.#closed || this.#batch.length > 0 || upstream.writableLength > 0 || upstream.isPaused())
      return null;
    upstream.off('data', this.#fromUpstream);
    upstream.off('close', this.#upstreamGone);
    upstream.off('error', this.#upstreamGone);
    this.#upstreamKept = true;
    this.close('client-closed');
    return upstream;
  }

  readonly #cut = (reason: SessionEndReason) => {
    this.close(reason, {}, this.#protocol.farewells.cut(reason));
  };

  toUpstream(bytes: Buffer): void {
    this.#batch.push(bytes);
  }

  flushUpstream(): void {
    if (this.#batch.length === 0 || this.#closed) return;
    const parts = this.#batch;
    this.#batch = [];
    if (!this.#upstream.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts)))
      this.#flow.upstreamFull();
  }

  toClient(bytes: Buffer): void {
    if (this.#closed || bytes.length === 0) return;
    if (!this.#client.write(bytes)) this.#flow.clientFull();
  }

  finish(goodbye?: Buffer): void {
    this.flushUpstream();
    if (goodbye) this.#upstream.end(goodbye);
    else this.#upstream.end();
    this.#client.end();
  }

  fail(error: VigilError): void {
    if (this.#closed) return;
    this.close(
      'closed',
      { error: error.code, message: error.message },
      this.#protocol.farewells.error(error),
    );
  }

  close(reason: SessionEndReason, facts: JsonObject = {}, clientFarewell?: Buffer): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#flow.stop();
    this.#gone.abort();
    this.#unregisterCut();
    this.#protocol.onClosed?.();
    const vigilEnded = clientFarewell !== undefined;
    const client = this.#client;
    if (!client.writableEnded) {
      const last = vigilEnded
        ? clientFarewell
        : reason === 'client-closed'
          ? undefined
          : this.#protocol.farewells.upstreamLost();
      if (last) client.end(last);
      else client.end();
    }
    setTimeout(() => client.destroy(), FAREWELL_GRACE_MS).unref();
    const upstream = this.#upstream;
    if (this.#upstreamKept) {
      // Handed back by detachUpstream: its new keeper closes it.
    } else if (vigilEnded) {
      // Reset, so the target cannot read on into messages still queued for it, then stop its work.
      resetOrDestroy(upstream);
      void this.#protocol
        .stopUpstream()
        .catch(() => undefined)
        .finally(() => upstream.destroy());
    } else {
      upstream.destroy();
    }
    this.#onClosed();
    void this.#session.end(reason, facts);
  }
}

/** A TCP reset where the socket has a TCP handle of its own; a TLS socket (wrapping one) can only be destroyed. */
function resetOrDestroy(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
