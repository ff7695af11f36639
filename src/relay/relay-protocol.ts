// The contract between the write-ahead TCP relay and the protocol it carries (every TCP protocol
// module: a database, a shell, the test line protocol). The relay owns the two sockets, the order and flow of bytes and the one
// way a connection ends; the protocol owns what the bytes mean. Nothing here knows a protocol.
import type { VigilError } from '../core/errors.js';
import type { JsonObject, SessionEndReason } from '../core/events.js';

/** Splits the client's byte stream into messages. Bounded: an oversized message throws a VigilError. */
export interface MessageFramer<M> {
  push(chunk: Buffer): void;
  /** The next complete message, or null when more bytes are needed. */
  next(): M | null;
  /** Bytes received and not yet returned in a message: what read-ahead holds. */
  readonly buffered: number;
}

/**
 * What a protocol gives the relay.
 *
 * The lesson of the truthful-record work, which every protocol must follow: a protocol's
 * knowledge of session state (a prepared statement, a bound portal, the current directory, an open
 * transaction) comes only from what the TARGET confirmed, never from what the client asked for or
 * what Vigil forwarded, since a request the target has not answered yet may still fail there. An
 * action whose meaning depends on state the protocol cannot be sure of is refused (the attempt and
 * the refusal recorded), never guessed at: the ledger must say what ran, and only the target knows
 * what ran.
 */
export interface RelayProtocol<M> {
  readonly framer: MessageFramer<M>;
  /**
   * One client message, in arrival order. Return undefined when it is settled at once (queued with
   * `relay.toUpstream`, dropped, answered). Return a promise while it is judged and recorded: the
   * relay sends what came before, then holds every later message until the promise settles, so the
   * action is in the ledger before anything after it reaches the target (write-ahead). A rejection
   * is fatal: the connection ends with `farewells.error`.
   */
  onClientMessage(message: M): Promise<void> | undefined;
  /** Bytes from the target: the protocol follows them and passes on what the client should see (`relay.toClient`). */
  onUpstreamData(chunk: Buffer): void;
  readonly farewells: RelayFarewells;
  /**
   * When Vigil ends the session, stops what the target is running for this connection before the
   * upstream socket is destroyed, so nothing queued for it commits after the cut. Best effort and
   * bounded in time; the upstream has already been reset.
   */
  stopUpstream(): Promise<void>;
  /** Called once when the connection closes: release waiters and whatever was kept for it. */
  onClosed?(): void;
  /**
   * Whether the target owes answers to so many forwarded messages that the client must not be read
   * until it catches up. Each forwarded message costs the protocol a little bookkeeping until its
   * answer comes; a client that pipelines tiny messages (a Sync, a ping) without reading would
   * otherwise turn the megabytes socket buffers hold into hundreds of megabytes of it. Checked
   * before each message is taken, and again after each read of the target. Absent: no bound.
   */
  backlogFull?(): boolean;
}

/** The last bytes a client receives, in the protocol's own wire format. */
export interface RelayFarewells {
  /** The session was cut (offboarding, a revoked grant, shutdown). */
  cut(reason: SessionEndReason): Buffer;
  /** Vigil cannot go on (an unreadable message, a setting it cannot follow). */
  error(error: VigilError): Buffer;
  /** The target closed the connection; undefined to close without a word. */
  upstreamLost(): Buffer | undefined;
}

/** What the relay offers its protocol. */
export interface Relay {
  readonly closed: boolean;
  /** Aborted when the connection ends: a submission held for review is withdrawn with it. */
  readonly signal: AbortSignal;
  /** Queues bytes for the target; they go out in one batch before the relay waits, or once the client's messages run out. */
  toUpstream(bytes: Buffer): void;
  /** Sends the queued batch now (a request whose answer the protocol must see before it can judge). */
  flushUpstream(): void;
  /** Bytes for the client; while the client does not read them, the target is not read either. */
  toClient(bytes: Buffer): void;
  /** The client said goodbye: the batch and `goodbye` go to the target, and both sides are ended gently. */
  finish(goodbye?: Buffer): void;
  /** Ends the connection because of `error`: recorded in the session end, told to the client, the target stopped. */
  fail(error: VigilError): void;
  /**
   * The one way a connection ends; only the first call counts. It records the session end, stops
   * listening for a cut, and then: with a `clientFarewell`, Vigil ended the session, so the client
   * gets the farewell and the upstream is reset and stopped (`stopUpstream`); without one, the
   * client left ('client-closed': the upstream is simply dropped, as if Vigil were not there) or the
   * target did (the client gets `farewells.upstreamLost`).
   */
  close(reason: SessionEndReason, facts?: JsonObject, clientFarewell?: Buffer): void;
}
