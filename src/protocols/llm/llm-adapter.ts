// The model-traffic adapter: OpenAI- and Anthropic-compatible HTTP at /c/<connection>/...
// It turns requests and responses into llm.request / llm.response events and lets the shared
// pipeline authenticate, authorize, apply policy, mask and record them. The request is durably
// recorded before it is forwarded; a response reaches the client complete only once it is recorded
// (a stream's terminal event is held back until then), so no delivered answer is missing from the ledger.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request as undiciRequest } from 'undici';
import { actionDigest } from '../../core/action-digest.js';
import type { LlmConnectionConfig } from '../../core/config.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import { ANONYMOUS, type Identity, type JsonObject, type JsonValue } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { LlmApi, LlmRequestPayload, LlmResponsePayload } from '../../core/llm-payloads.js';
import { parseJsonBody } from '../../http/json-body.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { parseTraceparent, sessionKey, validExplicitSession } from '../../pipeline/session-key.js';
import type { LiveSession, SessionManager } from '../../pipeline/sessions.js';
import { choicesFromBody, errorFromBody, usageFromBody } from './choices.js';
import { clientResponseHeaders, extractClientToken, upstreamRequestHeaders } from './headers.js';
import { type ErrorShape, sendError } from './http-errors.js';
import { SseMaskingRewriter } from './live-masking.js';
import { readRequestBody } from './read-body.js';
import { classifyLlmRoute, expectsJsonBody } from './routes.js';
import { StreamAssembler } from './stream-assembler.js';
import { upstreamError } from './upstream-errors.js';

export interface LlmAdapterDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly maxBodyBytes: number;
  readonly logger: { warn(obj: object, msg: string): void };
}

interface Exchange {
  readonly session: LiveSession;
  readonly requestId: string;
  readonly api: LlmApi;
  readonly stream: boolean;
  readonly started: number;
}

export class LlmConnection {
  readonly config: LlmConnectionConfig;
  readonly #credential: string | null;
  readonly #deps: LlmAdapterDeps;
  readonly #agent: Agent;
  readonly #shape: ErrorShape;

  constructor(config: LlmConnectionConfig, credential: string | null, deps: LlmAdapterDeps) {
    this.config = config;
    this.#credential = credential;
    this.#deps = deps;
    this.#shape = config.type === 'llm-anthropic' ? 'anthropic' : 'openai';
    this.#agent = new Agent({
      connect: { timeout: config.timeouts.connect },
      headersTimeout: config.timeouts.headers,
      bodyTimeout: config.timeouts.body,
      keepAliveTimeout: 30_000,
    });
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** Handles one request whose path has already lost its /c/<name> prefix. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const method = req.method ?? 'GET';
    const { pipeline } = this.#deps;
    let identity: Identity = ANONYMOUS;
    try {
      const authenticated = await pipeline.authenticate(extractClientToken(req.headers));
      identity = authenticated.identity;
      const grant = pipeline.authorize(authenticated, this.config);
      const api = classifyLlmRoute(this.config.type, method, path);
      if (!api) throw new VigilError('route_unknown', `no ${this.config.type} route for ${method} ${path}`);
      const raw = await readRequestBody(req, this.#deps.maxBodyBytes);
      const body = expectsJsonBody(api) ? parseJsonBody(raw) : null;
      await this.#exchange(req, res, {
        api,
        method,
        path,
        search,
        raw,
        body,
        identity,
        grantId: grant?.id ?? null,
      });
    } catch (err) {
      const error = toVigilError(err);
      if (!res.headersSent && isRefusal(error)) {
        // Refused before anything was forwarded: say so in the ledger, attributed as far as we know.
        const session = await this.#session(req, identity).catch(() => null);
        if (session) await pipeline.recordDenial(session, error, { method, path });
      }
      if (error.code === 'internal') this.#deps.logger.warn({ err: error.message }, 'llm request failed');
      sendError(res, error, this.#shape, error.code === 'body_too_large');
    }
  }

  #session(req: IncomingMessage, identity: Identity, grantId: string | null = null): Promise<LiveSession> {
    const explicit = validExplicitSession(header(req, 'x-vigil-session'));
    const trace = parseTraceparent(header(req, 'traceparent'));
    const key = sessionKey(identity.subject, this.config.name, explicit, trace);
    return this.#deps.sessions.open({
      connection: this.config.name,
      protocol: this.config.type,
      identity,
      // A session admitted by a grant ends with it, so it is not shared with requests admitted otherwise.
      key: grantId === null ? key.key : `${key.key}\u0000${grantId}`,
      grantId,
      facts: {
        client: req.socket.remoteAddress ?? null,
        user_agent: header(req, 'user-agent') ?? null,
        external_session: key.external,
        trace_id: key.traceId,
      },
    });
  }

  async #exchange(
    req: IncomingMessage,
    res: ServerResponse,
    r: {
      api: LlmApi;
      method: string;
      path: string;
      search: string;
      raw: Buffer;
      body: JsonValue;
      identity: Identity;
      grantId: string | null;
    },
  ): Promise<void> {
    const session = await this.#session(req, r.identity, r.grantId);
    session.active++;
    try {
      const obj = r.body !== null && typeof r.body === 'object' && !Array.isArray(r.body) ? r.body : {};
      const trace = parseTraceparent(header(req, 'traceparent'));
      const requestPayload: LlmRequestPayload = {
        requestId: newId('r'),
        api: r.api,
        method: r.method,
        path: r.path,
        model: typeof obj.model === 'string' ? obj.model : null,
        stream: obj.stream === true,
        n: typeof obj.n === 'number' ? obj.n : 1,
        body: r.body,
        parent: header(req, 'x-vigil-parent') ?? null,
        trace: trace ? { traceId: trace.traceId, parentSpanId: trace.parentSpanId } : null,
      };
      // What goes upstream is fixed here, so the digest names exactly the bytes that are forwarded.
      const forwardedBody = r.method === 'GET' ? null : r.raw;
      // Write-ahead: durably recorded (or refused by policy, or held for review) before a byte goes upstream.
      const gone = new AbortController();
      const onGone = () => {
        if (!res.writableFinished) gone.abort();
      };
      res.on('close', onGone);
      try {
        await this.#deps.pipeline.submit(session, 'llm.request', requestPayload, {
          signal: gone.signal,
          actionDigest: actionDigest([forwardedBody]),
        });
      } finally {
        res.off('close', onGone);
      }
      res.setHeader('x-vigil-session-id', session.sessionId);
      res.setHeader('x-vigil-request-id', requestPayload.requestId);
      const exchange: Exchange = {
        session,
        requestId: requestPayload.requestId,
        api: r.api,
        stream: requestPayload.stream,
        started: performance.now(),
      };
      await this.#forward(req, res, r.method, r.path + r.search, forwardedBody, exchange);
    } finally {
      session.active--;
      this.#deps.sessions.touch(session);
    }
  }

  async #forward(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    pathAndQuery: string,
    body: Buffer | null,
    ex: Exchange,
  ): Promise<void> {
    const abort = new AbortController();
    const onClientGone = () => {
      if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
    };
    res.on('close', onClientGone);
    // The client may have left while the request was being recorded: then nothing goes upstream.
    if (res.destroyed || req.socket.destroyed) abort.abort(new Error('client closed the connection'));
    const cut = () => abort.abort(new Error('session cut'));
    ex.session.cutters.add(cut);
    try {
      let upstream: Awaited<ReturnType<typeof undiciRequest>>;
      try {
        upstream = await undiciRequest(this.config.upstream.replace(/\/+$/, '') + pathAndQuery, {
          method: method as 'GET' | 'POST',
          headers: upstreamRequestHeaders(req.headers, this.config.type, this.#credential),
          body,
          signal: abort.signal,
          dispatcher: this.#agent,
        });
      } catch (err) {
        const error = abort.signal.aborted
          ? new VigilError('upstream_failed', 'the client went away')
          : upstreamError(err, 'connect');
        await this.#recordResponse(ex, { status: error.status, error, partial: false }).catch(
          () => undefined,
        );
        sendError(res, error, this.#shape);
        return;
      }
      const contentType = String(upstream.headers['content-type'] ?? '');
      if (contentType.includes('text/event-stream')) {
        await this.#relayStream(res, upstream, ex, abort.signal);
      } else {
        await this.#relayWhole(res, upstream, ex, abort.signal);
      }
    } finally {
      res.off('close', onClientGone);
      ex.session.cutters.delete(cut);
    }
  }

  /** A complete body: recorded first, then delivered. */
  async #relayWhole(
    res: ServerResponse,
    upstream: Awaited<ReturnType<typeof undiciRequest>>,
    ex: Exchange,
    signal: AbortSignal,
  ): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await upstream.body.arrayBuffer());
    } catch (err) {
      const error = signal.aborted
        ? new VigilError('upstream_failed', 'the request was cut')
        : upstreamError(err, 'body');
      await this.#recordResponse(ex, { status: upstream.statusCode, error, partial: true }).catch(
        () => undefined,
      );
      sendError(res, error, this.#shape);
      return;
    }
    let parsed: unknown = null;
    try {
      parsed = bytes.length ? JSON.parse(bytes.toString('utf8')) : null;
    } catch {
      parsed = null;
    }
    const upstreamFailure =
      upstream.statusCode >= 400
        ? (errorFromBody(parsed) ?? { code: `http_${upstream.statusCode}`, message: '' })
        : null;
    try {
      await this.#recordResponse(ex, {
        status: upstream.statusCode,
        body: parsed as JsonValue,
        choices: choicesFromBody(ex.api, parsed),
        usage: usageFromBody(parsed),
        upstreamFailure,
        partial: false,
      });
    } catch (err) {
      sendError(res, toVigilError(err, 'record_failed'), this.#shape);
      return;
    }
    const delivered = this.config.mask_responses ? this.#maskWhole(bytes, parsed) : bytes;
    const headers = clientResponseHeaders(upstream.headers);
    headers['content-length'] = delivered.length;
    res.writeHead(upstream.statusCode, headers);
    res.end(delivered);
  }

  /** Live masking of a complete body: JSON is masked value by value, anything else as text. */
  #maskWhole(bytes: Buffer, parsed: unknown): Buffer {
    const { masker } = this.#deps.pipeline;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Buffer.from(JSON.stringify(masker.maskPayload(parsed as JsonObject, this.config.name)));
    }
    return Buffer.from(masker.maskText(bytes.toString('utf8'), this.config.name));
  }

  /** A stream: every chunk passes on as it arrives; only the terminal event waits for the record. */
  async #relayStream(
    res: ServerResponse,
    upstream: Awaited<ReturnType<typeof undiciRequest>>,
    ex: Exchange,
    signal: AbortSignal,
  ): Promise<void> {
    const assembler = new StreamAssembler(ex.api);
    const rewriter = this.config.mask_responses
      ? new SseMaskingRewriter(ex.api, this.#deps.pipeline.masker, this.config.name)
      : null;
    res.writeHead(upstream.statusCode, clientResponseHeaders(upstream.headers));
    res.flushHeaders();
    let ttftMs: number | null = null;
    const held: (Uint8Array | string)[] = [];
    let failure: VigilError | null = null;
    try {
      for await (const chunk of upstream.body as AsyncIterable<Uint8Array>) {
        if (ttftMs === null) ttftMs = performance.now() - ex.started;
        const completes = assembler.push(chunk);
        const outgoing = rewriter ? rewriter.push(chunk) : chunk;
        if (completes || held.length > 0) held.push(outgoing);
        else if (outgoing.length > 0) res.write(outgoing);
      }
    } catch (err) {
      failure = signal.aborted
        ? new VigilError('upstream_failed', 'the stream was cut before it finished')
        : upstreamError(err, 'body');
    }
    const partial = failure !== null || !assembler.terminal;
    try {
      await this.#recordResponse(ex, {
        status: upstream.statusCode,
        choices: assembler.choices(),
        usage: assembler.usage,
        ttftMs,
        upstreamFailure: assembler.error,
        error:
          failure ??
          (partial ? new VigilError('upstream_failed', 'the stream ended without its final event') : null),
        partial,
      });
    } catch {
      // Not recorded: the client must not receive the end of a response the ledger lacks.
      res.destroy();
      return;
    }
    if (failure) {
      res.destroy(failure);
      return;
    }
    for (const chunk of held) res.write(chunk);
    res.end();
  }

  #recordResponse(
    ex: Exchange,
    r: {
      status: number;
      body?: JsonValue;
      choices?: LlmResponsePayload['choices'];
      usage?: JsonValue;
      ttftMs?: number | null;
      upstreamFailure?: { code: string; message: string } | null;
      error?: VigilError | null;
      partial: boolean;
    },
  ) {
    const payload: LlmResponsePayload = {
      requestId: ex.requestId,
      status: r.status,
      stream: ex.stream,
      choices: r.choices ?? [],
      usage: r.usage ?? null,
      ttftMs: r.ttftMs === undefined || r.ttftMs === null ? null : round(r.ttftMs),
      durationMs: round(performance.now() - ex.started),
      body: r.body ?? null,
      error: r.error ? { code: r.error.code, message: r.error.message } : (r.upstreamFailure ?? null),
      partial: r.partial,
    };
    return this.#deps.pipeline.observe(ex.session, 'llm.response', payload);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const REFUSALS = new Set([
  'auth_missing',
  'auth_invalid',
  'auth_expired',
  'auth_revoked',
  'forbidden_connection',
  'route_unknown',
  'body_too_large',
  'body_invalid_json',
  'body_too_deep',
]);

function isRefusal(err: VigilError): boolean {
  return REFUSALS.has(err.code);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
