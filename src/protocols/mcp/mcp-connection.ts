// The MCP adapter for one connection: streamable HTTP at /c/<name>/mcp. Every request is admitted
// with the caller's Vigil token (a 401 points at the protected-resource metadata), its session id
// read back into the state any replica needs (session-token.ts), its body read as one JSON-RPC
// message, and then dispatched (dispatch.ts). Requests without a session id are either an
// initialize or, under the stateless 2026-07-28 revision, a self-contained request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../../core/errors.js';
import { type Identity, type JsonObject, sameIdentity } from '../../core/events.js';
import { extractClientToken } from '../../http/credentials.js';
import { sendJson } from '../../http/json-response.js';
import { readRequestBody } from '../../http/read-body.js';
import type { Credential } from '../../identity/authenticator.js';
import type { ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import { parseTraceparent, sessionKey, validExplicitSession } from '../../pipeline/session-key.js';
import { METADATA_PATH, metadataUrl, protectedResourceMetadata, resourceUrl } from './auth-metadata.js';
import { type ClientView, relayServerStream } from './client-reply.js';
import type { McpConnectionConfig } from './config.js';
import { dispatchRequest, type McpServed } from './dispatch.js';
import { EndedSessions } from './ended-sessions.js';
import { InFlightIds } from './in-flight-ids.js';
import { type InitializeHost, initializeExchange } from './initialize-exchange.js';
import { type JsonRpcMessage, parseJsonRpcBody, salvageId } from './jsonrpc.js';
import {
  CLIENT_NOTIFICATIONS,
  recordClientNotification,
  serverNotificationRecorder,
} from './notifications.js';
import { PinIndex } from './pin-store.js';
import { requestSignal } from './request-signal.js';
import { isClientAnswer, serverRequestGate, submitClientAnswer } from './server-requests.js';
import { loadSessionKey } from './session-key.js';
import { encodeSessionToken, type McpSessionState, newNonce } from './session-token.js';
import { SessionTokenCache } from './session-token-cache.js';
import type { McpUpstream, UpstreamTarget } from './upstream.js';
import { HttpUpstream } from './upstream-http.js';
import { StdioUpstream } from './upstream-stdio.js';
import { sendInputRefused, sendRpcError } from './wire-errors.js';

/** The revisions Vigil serves; the stateless one has no initialize and no session id. */
export const SUPPORTED_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'] as const;
export const STATELESS_VERSION = '2026-07-28';

export class McpConnection implements McpServed {
  readonly config: McpConnectionConfig;
  readonly upstream: McpUpstream;
  readonly pins: PinIndex;
  readonly view: ClientView = {
    error: (error: JsonObject): JsonObject => this.#ctx.masker.maskPayload(error, this.config.name),
    wire: (text: string): string => this.#ctx.masker.maskKnownSecrets(text),
  };
  readonly resultNotRecorded = (err: unknown): void => {
    this.#ctx.logger.warn({ err: toVigilError(err).message }, 'deferred mcp event not recorded');
  };
  readonly #ctx: ModuleContext;
  readonly #inFlight = new InFlightIds();
  /** Sessions their clients ended, which no replica serves again (ended-sessions.ts). */
  readonly #ended: EndedSessions;
  /** Set by load(): the connection's session-id key (session-key.ts) and the decoded ids. */
  #sessionKey: Uint8Array | null = null;
  #sessionTokens: SessionTokenCache | null = null;
  readonly #initializeHost: InitializeHost;

  constructor(config: McpConnectionConfig, ctx: ModuleContext) {
    this.config = config;
    this.#ctx = ctx;
    this.upstream =
      config.upstream === 'stdio'
        ? new StdioUpstream(config, ctx.resolveSecret)
        : new HttpUpstream(config, ctx.credential(config.name));
    this.pins = new PinIndex(ctx.moduleState, config.name);
    this.#ended = new EndedSessions(ctx.moduleState, config.name);
    this.#initializeHost = {
      config,
      upstream: this.upstream,
      view: this.view,
      moduleState: ctx.moduleState,
      resultNotRecorded: this.resultNotRecorded,
      encodeSession: (state) => this.#encodeSession(state),
    };
  }

  /** Reads what every replica shares: the tool pins and the key session ids are authenticated with. */
  async load(dataDir: string): Promise<void> {
    await this.pins.load(dataDir);
    const key = await loadSessionKey(this.#ctx.moduleState, this.config.name);
    this.#sessionKey = key;
    this.#sessionTokens = new SessionTokenCache(key);
  }

  close(): Promise<void> {
    return this.upstream.close();
  }

  #encodeSession(state: McpSessionState): string {
    if (!this.#sessionKey) throw new VigilError('internal', 'the MCP connection is not loaded');
    return encodeSessionToken(state, this.#sessionKey);
  }

  /**
   * The host-level location of the protected-resource metadata (RFC 9728 §3.1: the well-known
   * name inserted before the resource's path), which a client tries when a 401 names none.
   */
  wellKnown(req: IncomingMessage, res: ServerResponse, document: string, resourcePath: string): boolean {
    if (document !== METADATA_PATH.slice('/.well-known/'.length) || resourcePath !== '/mcp') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    req.resume();
    sendJson(res, 200, protectedResourceMetadata(req, this.config));
    return true;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, _search: string): Promise<void> {
    const method = req.method ?? 'GET';
    try {
      if (path === METADATA_PATH && method === 'GET') {
        sendJson(res, 200, protectedResourceMetadata(req, this.config));
        return;
      }
      if (path !== '/mcp') throw new VigilError('route_unknown', 'the MCP endpoint is /mcp');
      const origin = header(req, 'origin');
      if (origin !== undefined && !this.config.allowed_origins.includes(origin)) {
        // DNS-rebinding protection, as the transport spec requires of a server.
        throw new VigilError('forbidden_connection', 'requests from this Origin are not allowed');
      }
      if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
        res.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
        return;
      }
      const version = header(req, 'mcp-protocol-version') ?? null;
      if (version !== null && !(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
        throw new VigilError('protocol_violation', 'unsupported MCP-Protocol-Version');
      }
      const token = header(req, 'mcp-session-id');
      if (token === undefined && method === 'POST') return await this.#sessionless(req, res, version);
      if (token === undefined) {
        // No stream or session to end without a session (and none in the stateless revision).
        res.writeHead(405, { allow: 'POST' }).end();
        return;
      }
      await this.#inSession(req, res, method, token, version);
    } catch (err) {
      const error = toVigilError(err);
      if (error.code === 'internal') this.#ctx.logger.warn({ err: error.message }, 'mcp request failed');
      sendRpcError(res, error, null, { resourceMetadata: metadataUrl(req, this.config) });
    }
  }

  #admission(req: IncomingMessage, key: (identity: Identity) => string) {
    return {
      connection: this.config,
      protocol: 'mcp',
      credential: this.#credential(req),
      facts: {
        client: req.socket.remoteAddress ?? null,
        user_agent: header(req, 'user-agent') ?? null,
      },
      refusalFacts: { method: req.method ?? 'GET', path: '/mcp' },
      sessionKey: (identity: Identity, grantId: string | null) => {
        const k = key(identity);
        return grantId === null ? k : `${k}\u0000${grantId}`;
      },
    };
  }

  /**
   * The bearer token, as a token for this resource where the connection has a fixed public URL: an
   * access token from the OpenID provider must then name exactly that URL as its audience. Without
   * one the resource's URL comes from the client's Host header, which must not decide whose tokens
   * are accepted, so only Vigil's own tokens are.
   */
  #credential(req: IncomingMessage): Credential {
    const token = extractClientToken(req.headers);
    if (token === null || !this.config.public_url) return token;
    return { kind: 'resource-token', token, resource: resourceUrl(req, this.config) };
  }

  /** An initialize, or a request of the stateless revision. The body is read first (capped) to tell which. */
  async #sessionless(req: IncomingMessage, res: ServerResponse, version: string | null): Promise<void> {
    const raw = await this.#readBody(req);
    let message: JsonRpcMessage | null = null;
    let parseError: VigilError | null = null;
    try {
      message = parseJsonRpcBody(raw);
    } catch (err) {
      parseError = toVigilError(err);
    }
    const initialize = message?.kind === 'request' && message.method === 'initialize';
    const nonce = newNonce();
    const explicit = validExplicitSession(header(req, 'x-vigil-session'));
    const trace = parseTraceparent(header(req, 'traceparent'));
    const session = await this.#ctx.admit(
      this.#admission(req, (identity) =>
        initialize
          ? `mcp\u0000${identity.kind}\u0000${identity.subject}\u0000${this.config.name}\u0000${nonce}`
          : sessionKey(identity, this.config.name, explicit, trace).key,
      ),
    );
    const release = session.begin();
    try {
      if (parseError || !message) return await this.#refuseBody(session, res, raw, parseError!);
      if (!initialize && version !== STATELESS_VERSION) {
        throw new VigilError('protocol_violation', 'Mcp-Session-Id is required (initialize first)');
      }
      if (initialize && message.kind === 'request') {
        return await initializeExchange(this.#initializeHost, session, req, res, message, nonce, version);
      }
      // One upstream (a stdio process) per identity, never one for every caller: what a process
      // sends on its own goes with a request of its caller's, and its state is that caller's.
      const key = `stateless\u0000${session.identity.kind}\u0000${session.identity.subject}`;
      await this.#message(session, req, res, message, { key, session: null, protocolVersion: version }, {});
    } catch (err) {
      const error = toVigilError(err);
      if (error.code === 'protocol_violation') await session.refuse(error, { method: 'POST', path: '/mcp' });
      sendRpcError(res, error, message && message.kind === 'request' ? message.id : null);
    } finally {
      release();
    }
  }

  #readBody(req: IncomingMessage): Promise<Buffer> {
    return readRequestBody(req, Math.min(this.config.max_message_bytes, this.#ctx.maxBodyBytes));
  }

  async #refuseBody(
    session: ModuleSession,
    res: ServerResponse,
    raw: Buffer,
    error: VigilError,
  ): Promise<void> {
    await session.refuse(error, { method: 'POST', path: '/mcp' });
    let id = null;
    try {
      id = salvageId(JSON.parse(raw.toString('utf8')));
    } catch {
      // No id to answer: the error goes out with id null.
    }
    sendRpcError(res, error, id);
  }

  async #inSession(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    token: string,
    version: string | null,
  ): Promise<void> {
    const decoded = this.#sessionTokens?.decode(token) ?? null;
    // The body is read while the caller is admitted rather than after: it usually came in the same
    // packet as the headers, and its read then costs no time of its own. It is capped as before; an
    // unauthenticated caller can make Vigil buffer no more than an initialize already may.
    const body = method === 'POST' ? this.#readBody(req) : null;
    body?.catch(() => undefined);
    const session = await this.#ctx.admit(
      this.#admission(req, (identity) =>
        decoded && sameIdentity(decoded, identity)
          ? `mcp\u0000${identity.kind}\u0000${identity.subject}\u0000${this.config.name}\u0000${decoded.nonce}`
          : `mcp\u0000${identity.kind}\u0000${identity.subject}\u0000${this.config.name}\u0000unknown`,
      ),
    );
    const release = session.begin();
    let id: string | number | null = null;
    try {
      if (
        !decoded ||
        !sameIdentity(decoded, session.identity) ||
        (await this.#ended.isEnded(decoded.nonce))
      ) {
        // Another identity's session, one its client ended, or none of Vigil's: the client is told
        // to initialize again.
        const error = new VigilError('session_unknown', 'no MCP session has that id; initialize again');
        await session.refuse(error, { method, path: '/mcp' });
        throw error;
      }
      const target: UpstreamTarget = { key: decoded.nonce, session: decoded, protocolVersion: version };
      const headers = { 'mcp-session-id': token, 'x-vigil-session-id': session.id };
      if (method === 'DELETE') {
        // Ended in the store before the upstream is told: a request that comes after may not start
        // the session again (a stdio upstream would spawn a fresh process for it).
        await this.#ended.end(decoded.nonce);
        await this.upstream.terminate(target);
        res.writeHead(200, headers).end();
        return;
      }
      if (method === 'GET') {
        await this.#serverStream(session, req, res, target, headers);
        return await this.#endIfEnded(target);
      }
      const raw = await (body ?? this.#readBody(req));
      let message: JsonRpcMessage;
      try {
        message = parseJsonRpcBody(raw);
      } catch (err) {
        return await this.#refuseBody(session, res, raw, toVigilError(err));
      }
      if (message.kind === 'request') id = message.id;
      if (message.kind === 'request' && message.method === 'initialize') {
        throw new VigilError('protocol_violation', 'initialize is not allowed inside a session');
      }
      await this.#message(session, req, res, message, target, headers);
      await this.#endIfEnded(target);
    } catch (err) {
      const error = toVigilError(err);
      if (error.code === 'protocol_violation' || error.code === 'body_too_large') {
        await session.refuse(error, { method, path: '/mcp' });
      }
      sendRpcError(res, error, id);
    } finally {
      release();
    }
  }

  async #message(
    session: ModuleSession,
    req: IncomingMessage,
    res: ServerResponse,
    message: JsonRpcMessage,
    target: UpstreamTarget,
    headers: Record<string, string>,
  ): Promise<void> {
    const { signal, done } = requestSignal(req, res, session);
    try {
      if (message.kind === 'notification' && !CLIENT_NOTIFICATIONS.has(message.method)) {
        const error = new VigilError('method_unknown', 'Vigil does not forward this notification');
        await session.refuse(error, { method: message.method, path: '/mcp' });
        sendInputRefused(res, error);
        return;
      }
      if (message.kind !== 'request') {
        // A notification or the client's answer to a server request: forwarded, nothing to answer.
        // Both carry the client's data to the upstream, so they are recorded first (an answer also
        // judged by policy) and not forwarded when that fails (notifications.ts, server-requests.ts).
        let forwarded: JsonRpcMessage = message;
        try {
          if (isClientAnswer(message)) {
            // Without the resources a read rule refuses (server-requests.ts).
            forwarded = await submitClientAnswer(session, message, this.upstream, target, signal);
          } else {
            await recordClientNotification(session, message);
          }
        } catch (err) {
          sendInputRefused(res, toVigilError(err));
          return;
        }
        const reply = await this.upstream.send(forwarded, target, signal);
        for await (const _ of reply.messages) {
          // Drained: an HTTP upstream answers 202 with no body.
        }
        res.writeHead(202, headers).end();
        return;
      }
      // Inside a session only: a stateless request has no session whose ids could be mixed up.
      const releaseId = target.session ? this.#inFlight.claim(target.key, message.id) : () => undefined;
      if (!releaseId) {
        const error = new VigilError(
          'protocol_violation',
          'a request with this id is already in flight, or was abandoned unanswered, in this session',
        );
        await session.refuse(error, { method: message.method, request_id: String(message.id) });
        sendRpcError(res, error, message.id);
        return;
      }
      const outcome = { forwarded: false, answered: false };
      try {
        const trace = parseTraceparent(header(req, 'traceparent'));
        await dispatchRequest(this, { session, target, res, signal, headers, trace, outcome }, message);
      } finally {
        // A request forwarded and never answered leaves its id taken: the upstream may answer it yet.
        releaseId(outcome.forwarded && !outcome.answered);
      }
    } finally {
      done();
    }
  }

  /**
   * A request admitted just before its session was ended may have started the upstream session
   * again (a stdio process spawned for it): it is ended once more, so nothing of it lingers.
   */
  async #endIfEnded(target: UpstreamTarget): Promise<void> {
    if (target.session && this.#ended.endedHere(target.key)) await this.upstream.terminate(target);
  }

  async #serverStream(
    session: ModuleSession,
    req: IncomingMessage,
    res: ServerResponse,
    target: UpstreamTarget,
    headers: Record<string, string>,
  ): Promise<void> {
    const { signal, done } = requestSignal(req, res, session);
    try {
      const messages = await this.upstream.listen(target, signal);
      if (!messages) {
        res.writeHead(405, { ...headers, allow: 'POST, DELETE' }).end();
        return;
      }
      const gate = serverRequestGate(this.config.server_requests, this.upstream, session, target, signal);
      const notified = serverNotificationRecorder(session, null, this.resultNotRecorded);
      await relayServerStream(res, messages, headers, { requests: gate, notified }, this.view, signal);
    } finally {
      done();
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
