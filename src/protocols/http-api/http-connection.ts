// The HTTP-API adapter for one connection: /c/<name>/<path> forwarded to the upstream with the
// credential Vigil holds. Each request is admitted with the caller's Vigil token (which never goes
// on), checked against the connection's method and path rules, recorded write-ahead as
// http.request (body masked, capped, binary by hash), then forwarded; the answer streams back
// chunk by chunk, unbuffered (a refusal masked on the way, headers and body; any other answer with
// the secrets the gateway holds masked), and is recorded as
// http.response when it ends.
import { once } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Agent, type Dispatcher, request } from 'undici';
import { actionDigest } from '../../core/action-digest.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { Identity, JsonObject } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import { type DecodedAnswer, decodedAnswer } from '../../http/content-decoding.js';
import { extractClientToken } from '../../http/credentials.js';
import { applyFixedHeaders, removeUpstreamHeader, setUpstreamHeader } from '../../http/fixed-headers.js';
import { clientResponseHeaders, forwardableRequestHeaders } from '../../http/forward-headers.js';
import { sendJsonError } from '../../http/json-response.js';
import { methodOverrideRefused } from '../../http/method-override.js';
import { readRequestBody } from '../../http/read-body.js';
import { decodeRequestBody } from '../../http/request-decoding.js';
import { assertPlainTransfer } from '../../http/transfer-codings.js';
import { upstreamFailure } from '../../http/upstream-errors.js';
import type { AppendOptions } from '../../ledger/recorder.js';
import type { ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import {
  parseTraceparent,
  sessionFacts,
  sessionKey,
  validExplicitSession,
} from '../../pipeline/session-key.js';
import { actingHeaderRefused, actingHeaders, sudoParameter } from './acting-headers.js';
import { batchBody, batchRefused } from './batch-body.js';
import { BodyRecorder, isTextual } from './body-record.js';
import { assertReadableCharset } from './body-text.js';
import type { HttpConnectionConfig } from './config.js';
import { destinationReadings } from './destination.js';
import { unreadMethodRefusal } from './known-methods.js';
import { methodOverride } from './method-override.js';
import { pathDecision, readingsOf, structuralReadings, upstreamBasePath } from './path-rules.js';

/** Refused after admission, before anything is forwarded: recorded as access.denied. */
const REQUEST_REFUSALS = new Set([
  'uri_malformed',
  'body_too_large',
  'route_unknown',
  'body_encoding_unsupported',
  'protocol_violation',
]);

export class HttpApiConnection {
  readonly config: HttpConnectionConfig;
  readonly #ctx: ModuleContext;
  readonly #credential: string | null;
  readonly #agent: Agent;
  /** The upstream URL's own path, which requests go on below (path-rules.ts). */
  readonly #basePath: string;
  readonly #responseNotRecorded = (err: unknown): void => {
    this.#ctx.logger.warn({ err: toVigilError(err).message }, 'http.response not recorded');
  };

  constructor(config: HttpConnectionConfig, ctx: ModuleContext) {
    this.config = config;
    this.#ctx = ctx;
    this.#credential = ctx.credential(config.name);
    this.#basePath = upstreamBasePath(config.upstream);
    this.#agent = new Agent({
      connect: { timeout: config.timeouts.connect },
      headersTimeout: config.timeouts.headers,
      bodyTimeout: config.timeouts.body,
      keepAliveTimeout: 30_000,
    });
  }

  /**
   * Masks an answer on its way to the client, as it streams. A refusal (status 400 and up) is
   * masked as recorded traffic is: it may quote the credential Vigil injected (a gateway that echoes
   * the key it rejected). Any other answer is the client's to read as it came, except the secrets
   * the gateway holds: an endpoint that echoes its request (an httpbin-style `/headers`, a debug
   * route) would hand the client the injected credential. A text refusal is read as UTF-8; every
   * other body byte for byte (Latin-1), so a key inside binary is found and every byte around it
   * passes unchanged. A text refusal is masked as the record masks its text, secret-named fields
   * written in it (XML elements, JSON keys, `NAME=value` lines) included: the text rules alone let
   * a SOAP fault's `<password>` of words through to the client while the record masked it.
   */
  #answerMasker(refusal: boolean, contentType: string | undefined): BodyMasker {
    const masker = this.#ctx.masker;
    if (!refusal || (contentType !== undefined && !TEXT_BODY.test(contentType))) {
      const bytes = refusal ? masker.createStreamMasker(this.config.name) : masker.createKnownSecretsMasker();
      return {
        push: (chunk) => Buffer.from(bytes.push(chunk.toString('latin1')), 'latin1'),
        end: () => Buffer.from(bytes.end(), 'latin1'),
      };
    }
    const text = masker.createValueStreamMasker(this.config.name);
    const decoder = new TextDecoder();
    return {
      push: (chunk) => Buffer.from(text.push(decoder.decode(chunk, { stream: true }))),
      end: () => Buffer.from(text.push(decoder.decode()) + text.end()),
    };
  }

  /** An answer's headers, masked as its body is: a `WWW-Authenticate` may quote the key it rejected. */
  #maskedHeaders(headers: OutgoingHttpHeaders, refusal: boolean): OutgoingHttpHeaders {
    const masker = this.#ctx.masker;
    const mask = refusal
      ? (value: string) => masker.maskText(value, this.config.name)
      : (value: string) => masker.maskKnownSecrets(value);
    const out: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = Array.isArray(value) ? value.map(mask) : typeof value === 'string' ? mask(value) : value;
    }
    return out;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let release = () => {};
    try {
      const session = await this.#ctx.admit(this.#admission(req, method, path));
      release = session.begin();
      await this.#exchange(session, req, res, method, path, search);
    } catch (err) {
      const error = toVigilError(err);
      if (error.code === 'internal') this.#ctx.logger.warn({ err: error.message }, 'http request failed');
      sendJsonError(res, error, undefined, error.code === 'body_too_large' ? { connection: 'close' } : {});
    } finally {
      release();
    }
  }

  #admission(req: IncomingMessage, method: string, path: string) {
    const explicit = validExplicitSession(header(req, 'x-vigil-session'));
    const trace = parseTraceparent(header(req, 'traceparent'));
    const { external, traceId } = sessionFacts(explicit, trace);
    return {
      connection: this.config,
      protocol: 'http',
      credential: extractClientToken(req.headers),
      facts: {
        client: req.socket.remoteAddress ?? null,
        user_agent: header(req, 'user-agent') ?? null,
        external_session: external,
        trace_id: traceId,
      },
      refusalFacts: { method, path },
      sessionKey: (identity: Identity, grantId: string | null) => {
        const { key } = sessionKey(identity, this.config.name, explicit, trace);
        return grantId === null ? key : `${key}\u0000${grantId}`;
      },
    };
  }

  async #exchange(
    session: ModuleSession,
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rawPath: string,
    search: string,
  ): Promise<void> {
    let structural: string[];
    let destination: string[] | null;
    let raw: Buffer;
    let decodedFrom: string | null;
    try {
      // Below a base path, a reading that climbs out of it is refused (path-rules.ts).
      structural = structuralReadings(rawPath, this.#basePath !== '');
      // The path a COPY or MOVE writes to (destination.ts), judged as the request's own is.
      destination = destinationReadings(req, this.#basePath);
      // Any method may carry a body (a DELETE with a filter, a GET with a query document): what was
      // sent is what is recorded and forwarded, decoded if it came compressed (request-decoding.ts).
      const sent = await readRequestBody(req, this.#ctx.maxBodyBytes);
      ({ body: raw, decodedFrom } = await decodeRequestBody(
        req.headers['content-encoding'],
        sent,
        this.#ctx.maxBodyBytes,
      ));
      // Judged and recorded in its charset (body-text.ts): one Vigil cannot decode is refused.
      const contentType = header(req, 'content-type');
      assertReadableCharset(raw, contentType, isTextual(contentType));
    } catch (err) {
      const error = toVigilError(err);
      if (REQUEST_REFUSALS.has(error.code)) await session.refuse(error, { method, path: rawPath });
      throw error;
    }
    const path = structural[0]!;
    const forwardedPath = encodePath(path) + search;
    const requestId = newId('r');
    const body = new BodyRecorder(this.config.record_body_bytes);
    body.add(raw);
    const trace = parseTraceparent(header(req, 'traceparent'));
    const payload: JsonObject = {
      request_id: requestId,
      method,
      path,
      // Other ways an upstream may resolve the path (path-rules.ts), judged by the rules and by policy.
      ...(structural.length > 1 ? { alternate_paths: structural.slice(1) } : {}),
      ...(destination !== null ? { destination: destination[0]!, destination_paths: destination } : {}),
      query: search,
      content_type: header(req, 'content-type') ?? null,
      ...(decodedFrom !== null ? { content_encoding: decodedFrom } : {}),
      body: body.record(header(req, 'content-type')),
      trace: trace ? { traceId: trace.traceId, parentSpanId: trace.parentSpanId } : null,
    };
    const unread = unreadMethodRefusal(method, this.config.methods_judged_by_path);
    if (unread !== null) {
      await session.refuseAction('http.request', payload, unread);
      throw unread;
    }
    // A header naming a second resource, or another user to act as (acting-headers.ts).
    const acting = actingHeaders(
      req.headers,
      {
        resource: this.config.resource_headers_forwarded,
        impersonation: this.config.impersonation_headers_forwarded,
      },
      sudoParameter(search, header(req, 'content-type'), raw),
    );
    if (acting.refused !== null) {
      const { kind, name, value } = acting.refused;
      const error = actingHeaderRefused(kind, name);
      await session.refuseAction('http.request', { ...payload, refused_header: { name, value } }, error);
      throw error;
    }
    // Those the connection forwards are recorded: the record says what the upstream acts on, as whom.
    if (Object.keys(acting.forwarded).length > 0) payload.forwarded_headers = acting.forwarded;
    // A body of further requests the upstream runs (batch-body.ts).
    const batch = this.config.batch_requests_forwarded
      ? null
      : batchBody(header(req, 'content-type'), raw, search);
    if (batch !== null) {
      const error = batchRefused(batch);
      await session.refuseAction('http.request', { ...payload, batch }, error);
      throw error;
    }
    const override = methodOverride(method, req.headers, search, header(req, 'content-type'), raw);
    if (override !== null) {
      const error = methodOverrideRefused(method);
      await session.refuseAction('http.request', { ...payload, method_override: override }, error);
      throw error;
    }
    const decisions = [structural, ...(destination !== null ? [destination] : [])].map((readings) =>
      pathDecision(this.config, method, readingsOf(readings)),
    );
    const decision = decisions.find((d) => d.action === 'deny') ?? decisions[0]!;
    if (decision.action === 'deny') {
      const error = new VigilError('policy_denied', `${method} ${path} is not allowed on this connection`, {
        details: { rule: decision.rule ?? 'default_action' },
      });
      await session.refuseAction('http.request', payload, error);
      throw error;
    }
    const gone = new AbortController();
    const onGone = () => {
      if (!res.writableFinished) gone.abort(new Error('client closed the connection'));
    };
    res.on('close', onGone);
    const unregisterCut = session.onCut(() => gone.abort(new Error('session cut')));
    try {
      await session.submit('http.request', payload, {
        signal: gone.signal,
        // A Destination is where a COPY or MOVE writes: an approval given for one is not for another.
        actionDigest: () =>
          actionDigest([
            method,
            forwardedPath,
            raw,
            ...(destination !== null ? [header(req, 'destination')!] : []),
          ]),
      });
      res.setHeader('x-vigil-session-id', session.id);
      res.setHeader('x-vigil-request-id', requestId);
      await this.#forward(session, req, res, method, forwardedPath, raw, requestId, gone.signal);
    } finally {
      res.off('close', onGone);
      unregisterCut();
    }
  }

  #headers(req: IncomingMessage): Record<string, string> {
    // Without the client's `SCRIPT_NAME` and the like, by which an upstream routes past the path
    // judged (forward-headers.ts).
    const out = forwardableRequestHeaders(req.headers);
    // The body goes on decoded (#exchange), as it was recorded; a `Content_Encoding` Vigil did not
    // undo must not reach a server that reads it as Content-Encoding and inflates what was judged.
    removeUpstreamHeader(out, 'content-encoding');
    // Only the `Content-Type` the body was judged and recorded by: a CGI-style server (Puma before
    // 6.4.3) reads a `Content_Type` as its content type too, the later one winning (until 7 December
    // a form's `_method=DELETE` ran under a `Content-Type` that named no form).
    const contentType = out['content-type'];
    if (contentType === undefined) removeUpstreamHeader(out, 'content-type');
    else setUpstreamHeader(out, 'content-type', contentType);
    // Recording needs the plain body.
    setUpstreamHeader(out, 'accept-encoding', 'identity');
    applyFixedHeaders(out, this.config.upstream_headers);
    const credential = this.#credential;
    if (credential !== null) {
      const { scheme, header: name } = this.config.auth;
      if (scheme === 'bearer') out.authorization = `Bearer ${credential}`;
      else if (scheme === 'basic') out.authorization = `Basic ${Buffer.from(credential).toString('base64')}`;
      // Replacing the client's headers in any spelling an upstream reads as this one.
      else setUpstreamHeader(out, name ?? 'x-api-key', credential);
    }
    return out;
  }

  async #forward(
    session: ModuleSession,
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    pathAndQuery: string,
    raw: Buffer,
    requestId: string,
    signal: AbortSignal,
  ): Promise<void> {
    const started = performance.now();
    const record = (facts: JsonObject, options?: AppendOptions) =>
      session.observe(
        'http.response',
        {
          request_id: requestId,
          duration_ms: Math.round((performance.now() - started) * 100) / 100,
          ...facts,
        },
        options,
      );
    if (signal.aborted || req.socket.destroyed) {
      await record({
        status: null,
        error: { code: 'upstream_failed', message: 'the client went away' },
        partial: true,
      });
      return;
    }
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await request(this.config.upstream.replace(/\/+$/, '') + pathAndQuery, {
        method: method as Dispatcher.HttpMethod,
        headers: this.#headers(req),
        body: raw.length > 0 ? raw : null,
        signal,
        dispatcher: this.#agent,
      });
    } catch (err) {
      const error = upstreamFailure(err, 'connect');
      await record({ status: null, error: { code: error.code, message: error.message }, partial: false });
      throw error;
    }
    let answer: DecodedAnswer;
    try {
      // A transfer coding undici leaves on the body (transfer-codings.ts) is refused.
      assertPlainTransfer(upstream.headers, upstream.body);
      // Asked for identity, an upstream may compress anyway: decoded, so the record reads what the
      // client reads, and passed on decoded (content-decoding.ts).
      answer = decodedAnswer(upstream.headers, upstream.body);
    } catch (err) {
      const error = toVigilError(err, 'upstream_failed');
      await record({
        status: upstream.statusCode,
        error: { code: error.code, message: error.message },
        partial: false,
      });
      throw error;
    }
    const contentType = headerValue(upstream.headers['content-type']);
    const body = new BodyRecorder(this.config.record_body_bytes);
    const refusal = upstream.statusCode >= 400;
    const masker = this.#answerMasker(refusal, contentType);
    res.writeHead(upstream.statusCode, this.#maskedHeaders(clientResponseHeaders(answer.headers), refusal));
    res.flushHeaders();
    let failure: VigilError | null = null;
    try {
      for await (const chunk of answer.body) {
        const buf = chunk as Buffer;
        body.add(buf);
        // Passed on as it arrives; a slow client slows the upstream read rather than filling memory.
        const out = masker.push(buf);
        if (out.length > 0 && !res.write(out)) await once(res, 'drain', { signal });
      }
      res.write(masker.end());
    } catch (err) {
      failure = signal.aborted
        ? new VigilError('upstream_failed', 'the client went away')
        : upstreamFailure(err, 'body');
    } finally {
      upstream.body.destroy();
    }
    const facts: JsonObject = {
      status: upstream.statusCode,
      content_type: contentType ?? null,
      body: body.record(contentType),
      partial: failure !== null,
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
    };
    if (failure) {
      // The record that says why the response broke off is committed before the client is cut.
      await record(facts);
      res.destroy();
      return;
    }
    // An answer to an action is recorded deferred (docs/adr/0006): the request was durable before
    // the upstream saw it, and the client is not held for a second commit.
    record(facts, { deferred: true }).catch(this.#responseNotRecorded);
    res.end();
  }
}

/** Masks a body as it streams: `push` returns the bytes safe to pass on now, `end` the rest. */
interface BodyMasker {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
}

/** Text bodies an upstream's refusal comes in, masked as UTF-8; any other is masked byte for byte. */
const TEXT_BODY = /^(text\/|application\/([\w.-]+\+)?(json|xml)\b|application\/x-www-form-urlencoded)/i;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Re-encodes a canonical path: what the rules judged is exactly what the upstream gets. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/%(2[146789ABC]|3[ABD]|40)/g, (m) => decodeURIComponent(m)),
    )
    .join('/');
}
