// What a protocol module may do with the pipeline: admit a caller (authenticate, authorize, open
// or join the session, record a refusal), then, within the session, submit actions write-ahead,
// observe what happened, register what to do when the session is cut, and end it. Modules get this
// narrow surface rather than Pipeline and SessionManager, so no module re-implements a stage or
// changes a session behind the pipeline's back.
import type { ConnectionConfig } from '../core/config.js';
import { toVigilError, type VigilError } from '../core/errors.js';
import {
  ANONYMOUS,
  type EventType,
  type Identity,
  type JsonObject,
  type RecordedEvent,
  type SessionEndReason,
} from '../core/events.js';
import type { ModuleStateStore, PayloadMasker } from '../core/ports.js';
import type { Credential } from '../identity/authenticator.js';
import type { AppendOptions } from '../ledger/recorder.js';
import type { Pipeline, SubmitOptions } from './pipeline.js';
import type { PolicyDecision } from './policy.js';
import type { LiveSession, SessionManager } from './sessions.js';

export interface ModuleLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AdmissionRequest {
  readonly connection: ConnectionConfig;
  /** The protocol recorded in session.start (the connection type, or the module's name). */
  readonly protocol: string;
  /**
   * What the client presented (a token as password, a bearer header, a public key whose signature
   * the module has verified); null when nothing.
   */
  readonly credential: Credential;
  /** Recorded in session.start (client address, user agent ...), and with a refusal unless `refusalFacts` is given. */
  readonly facts: JsonObject;
  /** What a refusal records instead of `facts` (for HTTP: the method and path that were refused). */
  readonly refusalFacts?: JsonObject;
  /**
   * Request-based protocols group requests into one session by a key derived from who is asking;
   * without it every admission opens a session of its own (one per connection).
   */
  readonly sessionKey?: (identity: Identity, grantId: string | null) => string;
}

/** One admitted session, as a module sees it. */
export interface ModuleSession {
  readonly id: string;
  readonly identity: Identity;
  readonly connection: string;
  /** An action on its way to the target: judged, masked and durably recorded; forward only once this resolves. */
  submit(type: EventType, payload: JsonObject, options?: SubmitOptions): Promise<RecordedEvent | null>;
  /**
   * Something that happened (a response, a result): masked and recorded. With `deferred`, nothing
   * waits for it: it is committed with the next batch (see Recorder), and the caller must not hold
   * the client for it.
   */
  observe(type: EventType, payload: JsonObject, options?: AppendOptions): Promise<RecordedEvent | null>;
  /** Records a request refused after admission (an unknown route, a malformed body). Never throws. */
  refuse(error: VigilError, facts: JsonObject): Promise<void>;
  /** Records an action refused before policy could judge it (Pipeline.refuseAction); rejects when it cannot be recorded. */
  refuseAction(type: EventType, payload: JsonObject, error: VigilError): Promise<void>;
  /** What policy would decide for an action, recording nothing (Pipeline.judge): for text that must not be stored. */
  judge(type: EventType, payload: JsonObject): PolicyDecision;
  /** Work in progress (an HTTP request): the session is not idle until the returned release is called. */
  begin(): () => void;
  /** Activity without a request (a result streaming in). */
  touch(): void;
  /** Called once if the session is cut (offboarding, a revoked grant, shutdown); returns the unregistration. */
  onCut(cut: (reason: SessionEndReason) => void): () => void;
  end(reason: SessionEndReason, facts?: JsonObject): Promise<void>;
}

export interface ModuleContext {
  /** Throws the VigilError that refused the caller, after recording it as access.denied. */
  admit(request: AdmissionRequest): Promise<ModuleSession>;
  /** Whether a public key is registered to an identity; records nothing (the caller has not proven the key yet). */
  knowsPublicKey(key: Uint8Array): boolean;
  readonly masker: PayloadMasker;
  readonly logger: ModuleLogger;
  /** The upstream credential configured for a connection, resolved; null when there is none. */
  credential(connection: string): string | null;
  /** Resolves a secret reference (env:NAME, file:PATH) of a module's own configuration. */
  resolveSecret(ref: string): string;
  /** The largest request body an HTTP module reads. */
  readonly maxBodyBytes: number;
  readonly dataDir: string;
  /** Records a module keeps that every replica on the store shares (MCP tool pins). */
  readonly moduleState: ModuleStateStore;
}

export interface ModuleContextDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly logger: ModuleLogger;
  readonly credentials: ReadonlyMap<string, string | null>;
  readonly resolveSecret: (ref: string) => string;
  readonly maxBodyBytes: number;
  readonly dataDir: string;
  readonly moduleState: ModuleStateStore;
}

const REFUSALS = /^(auth_|forbidden_connection$)/;

export function createModuleContext(deps: ModuleContextDeps): ModuleContext {
  const { pipeline, sessions } = deps;

  async function recordRefusal(request: AdmissionRequest, identity: Identity, error: VigilError) {
    try {
      const keyed = request.sessionKey !== undefined;
      const live = await sessions.open({
        connection: request.connection.name,
        protocol: request.protocol,
        identity,
        key: keyed ? request.sessionKey!(identity, null) : null,
        facts: request.facts,
      });
      await pipeline.recordDenial(live, error, request.refusalFacts ?? request.facts);
      if (!keyed) await sessions.end(live, 'closed');
    } catch {
      // Recording failures are logged by the pipeline; the caller is refused either way.
    }
  }

  return {
    masker: pipeline.masker,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes,
    dataDir: deps.dataDir,
    moduleState: deps.moduleState,
    credential: (connection) => deps.credentials.get(connection) ?? null,
    resolveSecret: deps.resolveSecret,
    knowsPublicKey: (key) => pipeline.knowsPublicKey(key),
    async admit(request) {
      let identity: Identity = ANONYMOUS;
      let grantId: string | null = null;
      try {
        const authenticated = await pipeline.authenticate(request.credential);
        identity = authenticated.identity;
        grantId = pipeline.authorize(authenticated, request.connection)?.id ?? null;
      } catch (err) {
        const error = toVigilError(err, 'auth_invalid');
        if (REFUSALS.test(error.code)) await recordRefusal(request, identity, error);
        throw error;
      }
      const live = await sessions.open({
        connection: request.connection.name,
        protocol: request.protocol,
        identity,
        key: request.sessionKey ? request.sessionKey(identity, grantId) : null,
        facts: request.facts,
        grantId,
      });
      return moduleSession(live, pipeline, sessions);
    },
  };
}

function moduleSession(live: LiveSession, pipeline: Pipeline, sessions: SessionManager): ModuleSession {
  return {
    id: live.sessionId,
    identity: live.identity,
    connection: live.connection,
    submit: (type, payload, options) => pipeline.submit(live, type, payload, options),
    observe: (type, payload, options) => pipeline.observe(live, type, payload, options),
    refuse: (error, facts) => pipeline.recordDenial(live, error, facts),
    refuseAction: (type, payload, error) => pipeline.refuseAction(live, type, payload, error),
    judge: (type, payload) => pipeline.judge(live, type, payload),
    begin() {
      live.active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        live.active--;
        sessions.touch(live);
      };
    },
    touch: () => sessions.touch(live),
    onCut(cut) {
      live.cutters.add(cut);
      return () => live.cutters.delete(cut);
    },
    end: (reason, facts) => sessions.end(live, reason, facts),
  };
}
