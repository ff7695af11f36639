// Session lifecycle shared by all protocols: start and end events, HTTP grouping with an idle
// timeout, and cutting sessions short (revocation, shutdown). Connection-based protocols (database,
// SSH) open one session per connection; request-based ones (LLM, HTTP) share one per key.
import type { Identity, JsonObject, SessionEndReason } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Clock } from '../core/ports.js';
import type { EventContext, Pipeline } from './pipeline.js';

export interface LiveSession extends EventContext {
  readonly key: string | null;
  lastActivity: number;
  /** In-flight requests: an HTTP session is not idle while one runs. */
  active: number;
  /** Called when the session is cut (revocation): adapters close sockets and abort streams. */
  readonly cutters: Set<(reason: SessionEndReason) => void>;
  ended: boolean;
  /** The access grant that admitted this session: when it ends, so does the session. */
  readonly grantId: string | null;
  /**
   * SessionManager.release for this session, for whoever was handed the session (an access
   * request's, which any replica may settle) and learns that its end was recorded elsewhere.
   */
  readonly release: () => void;
}

export interface OpenSessionOptions {
  readonly connection: string;
  readonly protocol: string;
  readonly identity: Identity;
  /** Grouping key for request-based protocols; null for one session per connection. */
  readonly key?: string | null;
  /** Facts recorded in session.start (client address, external session id, trace id ...). */
  readonly facts?: JsonObject;
  /** The access grant that admitted the identity, if a grant did. */
  readonly grantId?: string | null;
}

export class SessionManager {
  readonly #pipeline: Pipeline;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #byKey = new Map<string, LiveSession>();
  readonly #live = new Map<string, LiveSession>();
  /** A session being opened: concurrent requests with the same key wait for the same start. */
  readonly #opening = new Map<string, Promise<LiveSession>>();
  #sweeper: NodeJS.Timeout | null = null;

  constructor(pipeline: Pipeline, clock: Clock, idleMs: number) {
    this.#pipeline = pipeline;
    this.#clock = clock;
    this.#idleMs = idleMs;
  }

  start(): void {
    const every = Math.max(50, Math.min(this.#idleMs / 4, 30_000));
    this.#sweeper = setInterval(() => void this.sweepIdle(), every);
    this.#sweeper.unref();
  }

  /** Opens a session (recording session.start durably) or joins the live one with the same key. */
  async open(options: OpenSessionOptions): Promise<LiveSession> {
    const key = options.key ?? null;
    if (key !== null) {
      const live = this.#byKey.get(key);
      if (live && !live.ended) return live;
      const pending = this.#opening.get(key);
      if (pending) return pending;
    }
    const opening = this.#create(options, key);
    if (key !== null) this.#opening.set(key, opening);
    try {
      return await opening;
    } finally {
      if (key !== null) this.#opening.delete(key);
    }
  }

  async #create(options: OpenSessionOptions, key: string | null): Promise<LiveSession> {
    const session: LiveSession = {
      sessionId: newId('s'),
      connection: options.connection,
      protocol: options.protocol,
      identity: options.identity,
      key,
      lastActivity: this.#clock.now(),
      active: 0,
      cutters: new Set(),
      ended: false,
      grantId: options.grantId ?? null,
      release: () => this.release(session),
    };
    // The protocol after the facts: it is what the session record lists, and verify holds them equal.
    await this.#pipeline.observe(session, 'session.start', {
      ...(options.facts ?? {}),
      protocol: options.protocol,
      ...(session.grantId ? { grant_id: session.grantId } : {}),
    });
    this.#live.set(session.sessionId, session);
    if (key !== null) this.#byKey.set(key, session);
    return session;
  }

  touch(session: LiveSession): void {
    session.lastActivity = this.#clock.now();
  }

  /** Ends a session once: records session.end and tells its adapters to let go. */
  async end(session: LiveSession, reason: SessionEndReason, facts: JsonObject = {}): Promise<void> {
    if (session.ended) return;
    this.#cut(session, reason);
    await this.#recordEnd(session, reason, facts);
  }

  /** Marks the session over and tells its adapters to let go (close sockets, abort streams). */
  #cut(session: LiveSession, reason: SessionEndReason): void {
    session.ended = true;
    this.#live.delete(session.sessionId);
    if (session.key !== null && this.#byKey.get(session.key) === session) this.#byKey.delete(session.key);
    for (const cut of session.cutters) cut(reason);
  }

  async #recordEnd(session: LiveSession, reason: SessionEndReason, facts: JsonObject): Promise<void> {
    try {
      // The end's own reason wins over a reason in the facts (a revocation's `identity-disabled`).
      await this.#pipeline.observe(session, 'session.end', { ...facts, reason });
    } catch {
      // Fail-closed recording failures are already logged by the pipeline; the session is over either way.
    }
  }

  /**
   * Lets go of one session without recording its end: another replica recorded it (the access
   * request the session was opened for was settled there), and the ledger holds one end per session.
   * A shutdown or an offboarding afterwards no longer finds it live here.
   */
  release(session: LiveSession): void {
    if (!session.ended) this.#cut(session, 'closed');
  }

  /**
   * Takes access away mid-session (offboarding, a revoked or expired credential): makes its adapters
   * drop their connections at once, then records access.revoked and session.end.
   */
  async revoke(session: LiveSession, facts: JsonObject): Promise<void> {
    if (session.ended) return;
    // The cut does not wait for the disk: under load a durable commit can take most of a second, and
    // taking access away is what must be prompt. access.revoked is still recorded before session.end.
    this.#cut(session, 'revoked');
    try {
      await this.#pipeline.observe(session, 'access.revoked', facts);
    } finally {
      await this.#recordEnd(session, 'revoked', facts);
    }
  }

  async sweepIdle(): Promise<void> {
    const now = this.#clock.now();
    const idle = [...this.#live.values()].filter(
      (s) => s.key !== null && s.active === 0 && now - s.lastActivity >= this.#idleMs,
    );
    await Promise.all(idle.map((s) => this.end(s, 'idle')));
  }

  liveSessions(): readonly LiveSession[] {
    return [...this.#live.values()];
  }

  /**
   * Lets go of every live session without recording an end: this replica lost its lease, and the
   * replica that adopted its sessions records their end.
   */
  abandonAll(): void {
    for (const session of [...this.#live.values()]) this.#cut(session, 'crash-recovered');
  }

  async closeAll(reason: SessionEndReason): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    await Promise.all([...this.#live.values()].map((s) => this.end(s, reason)));
  }
}
