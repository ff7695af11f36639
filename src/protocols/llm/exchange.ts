// One admitted model request: recorded write-ahead as llm.request (judged by policy, perhaps held
// for review), then forwarded upstream with the real credential, its response relayed back. The
// request is aborted if the client leaves or the session is cut.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Agent, type Dispatcher, request as undiciRequest } from 'undici';
import { actionDigest } from '../../core/action-digest.js';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { LlmApi, LlmRequestRecord } from '../../core/llm-payloads.js';
import type { PayloadMasker } from '../../core/ports.js';
import { decodedAnswer } from '../../http/content-decoding.js';
import { assertPlainTransfer } from '../../http/transfer-codings.js';
import { upstreamFailure } from '../../http/upstream-errors.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { parseTraceparent } from '../../pipeline/session-key.js';
import { header } from './admission.js';
import { clientConnectionName } from './client-connection.js';
import type { LlmConnectionConfig } from './config.js';
import { upstreamRequestHeaders } from './headers.js';
import { type ErrorShape, sendError } from './http-errors.js';
import {
  type Exchange,
  recordResponse,
  relayStream,
  relayWhole,
  type UpstreamAnswer,
} from './response-relay.js';

/** What every exchange on one connection shares. */
export interface LlmTarget {
  readonly config: LlmConnectionConfig;
  readonly credential: string | null;
  readonly agent: Agent;
  readonly shape: ErrorShape;
  readonly masker: PayloadMasker;
}

/** A request that passed admission, routing and body checks. */
export interface AdmittedRequest {
  readonly api: LlmApi;
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly raw: Buffer;
  readonly body: JsonValue;
}

export async function runExchange(
  target: LlmTarget,
  session: ModuleSession,
  req: IncomingMessage,
  res: ServerResponse,
  r: AdmittedRequest,
): Promise<void> {
  const obj = r.body !== null && typeof r.body === 'object' && !Array.isArray(r.body) ? r.body : {};
  const trace = parseTraceparent(header(req, 'traceparent'));
  const requestPayload: LlmRequestRecord = {
    requestId: newId('r'),
    api: r.api,
    method: r.method,
    path: r.path,
    // Forwarded with the path, so recorded with it: the record is what the upstream reads.
    query: r.search,
    model: typeof obj.model === 'string' ? obj.model : null,
    stream: obj.stream === true,
    n: typeof obj.n === 'number' ? obj.n : 1,
    body: r.body,
    parent: header(req, 'x-vigil-parent') ?? null,
    trace: trace ? { traceId: trace.traceId, parentSpanId: trace.parentSpanId } : null,
    clientConnection: clientConnectionName(req.socket),
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
    await session.submit('llm.request', requestPayload, {
      signal: gone.signal,
      actionDigest: () => actionDigest([forwardedBody]),
    });
  } finally {
    res.off('close', onGone);
  }
  res.setHeader('x-vigil-session-id', session.id);
  res.setHeader('x-vigil-request-id', requestPayload.requestId);
  const exchange: Exchange = {
    session,
    requestId: requestPayload.requestId,
    api: r.api,
    stream: requestPayload.stream,
    started: performance.now(),
    shape: target.shape,
    masking: { masker: target.masker, connection: target.config.name },
    liveMasking: target.config.mask_responses
      ? { masker: target.masker, connection: target.config.name }
      : null,
  };
  await forward(target, req, res, r.method, r.path + r.search, forwardedBody, exchange);
}

async function forward(
  target: LlmTarget,
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
  const unregisterCut = ex.session.onCut(() => abort.abort(new Error('session cut')));
  try {
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await undiciRequest(target.config.upstream.replace(/\/+$/, '') + pathAndQuery, {
        method: method as 'GET' | 'POST',
        headers: upstreamRequestHeaders(
          req.headers,
          target.config,
          target.credential,
          body ? 'json' : 'none',
        ),
        body,
        signal: abort.signal,
        dispatcher: target.agent,
      });
    } catch (err) {
      const error = abort.signal.aborted
        ? new VigilError('upstream_failed', 'the client went away')
        : upstreamFailure(err, 'connect');
      await recordResponse(ex, { status: error.status, error, partial: false }).catch(() => undefined);
      sendError(res, error, target.shape);
      return;
    }
    let answer: UpstreamAnswer;
    try {
      // A body still coded once de-chunked would be read, masked and recorded as opaque bytes.
      assertPlainTransfer(upstream.headers, upstream.body);
      answer = { statusCode: upstream.statusCode, ...decodedAnswer(upstream.headers, upstream.body) };
    } catch (err) {
      const error = toVigilError(err, 'upstream_failed');
      await recordResponse(ex, { status: upstream.statusCode, error, partial: false }).catch(() => undefined);
      sendError(res, error, target.shape);
      return;
    }
    // Media types are case-insensitive (RFC 9110 §8.3.1): `Text/Event-Stream` is a stream too. The
    // SDKs read a successful answer to a streamed request as a stream whatever its media type says,
    // so it is read, recorded and masked as one: taken for a whole body, its events were recorded
    // as one opaque text, and a key cut across two of them was masked in neither.
    const contentType = String(answer.headers['content-type'] ?? '').toLowerCase();
    const success = answer.statusCode >= 200 && answer.statusCode < 300;
    if (contentType.includes('text/event-stream') || (ex.stream && success)) {
      await relayStream(res, answer, ex, abort.signal);
    } else {
      await relayWhole(res, answer, ex, abort.signal);
    }
  } finally {
    res.off('close', onClientGone);
    unregisterCut();
  }
}
