// The upstream's answer on its way back: recorded as llm.response, then delivered. A complete body
// is recorded before a byte reaches the client; a stream passes on event by event, as the events
// Vigil read written out again, and only its terminal event waits for the record, so no delivered
// answer is missing from the ledger.
import { isUtf8 } from 'node:buffer';
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue, RecordedEvent } from '../../core/events.js';
import { holdsNonFiniteNumber, mayHoldNonFinite } from '../../core/json-finite.js';
import type { LlmApi, LlmResponsePayload } from '../../core/llm-payloads.js';
import type { PayloadMasker } from '../../core/ports.js';
import { readAll } from '../../http/content-decoding.js';
import { clientResponseHeaders } from '../../http/forward-headers.js';
import { assertUnambiguousKeys } from '../../http/json-keys.js';
import { upstreamFailure as classifyUpstreamFailure } from '../../http/upstream-errors.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { choicesFromBody, errorFromBody, idFromBody, usageFromBody } from './choices.js';
import { namedAsRead } from './event-names.js';
import { type ErrorShape, sendError } from './http-errors.js';
import { knownSecretsMaskedAnswer, knownSecretsMaskedHeaders } from './known-secrets-answer.js';
import { KnownSecretsSseRewriter } from './known-secrets-stream.js';
import { SseMaskingRewriter } from './live-masking.js';
import { maskLogprobs } from './logprob-masking.js';
import { SSE_KEEP_ALIVE, SseEventReader } from './sse-events.js';
import { StreamAssembler } from './stream-assembler.js';

/** The upstream's answer, its body decoded to identity bytes (http/content-decoding.ts). */
export interface UpstreamAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: AsyncIterable<Uint8Array>;
}

/** One forwarded request whose response is being relayed. */
export interface Exchange {
  readonly session: ModuleSession;
  readonly requestId: string;
  readonly api: LlmApi;
  readonly stream: boolean;
  /** performance.now() when the request went upstream. */
  readonly started: number;
  readonly shape: ErrorShape;
  /** The connection's masker. */
  readonly masking: { readonly masker: PayloadMasker; readonly connection: string };
  /** Set when the connection masks responses on their way to the client too. */
  readonly liveMasking: { readonly masker: PayloadMasker; readonly connection: string } | null;
}

/**
 * How an answer reaches the client: masked when the connection masks responses, and always when
 * the upstream refused. A refusal may quote the credential Vigil sent (a proxy that echoes the key
 * it rejects), which the client must never hold; a refusal's text is not the model's answer.
 */
function clientMasking(ex: Exchange, status: number): Exchange['liveMasking'] {
  return ex.liveMasking ?? (status >= 400 ? ex.masking : null);
}

export interface ResponseRecord {
  status: number;
  body?: JsonValue;
  bodyText?: string;
  choices?: LlmResponsePayload['choices'];
  usage?: JsonValue;
  ttftMs?: number | null;
  upstreamFailure?: { code: string; message: string } | null;
  error?: VigilError | null;
  partial: boolean;
  providerId?: string | null;
  /** The upstream's response headers, for its request id; absent when no response came. */
  upstreamHeaders?: Dispatcher.ResponseData['headers'];
}

/** The header a provider names its request by: OpenAI `x-request-id`, Anthropic `request-id`. */
function upstreamRequestId(headers: Dispatcher.ResponseData['headers'] | undefined): string | null {
  const value = headers?.['x-request-id'] ?? headers?.['request-id'];
  const id = Array.isArray(value) ? value[0] : value;
  return typeof id === 'string' && id !== '' ? id : null;
}

export function recordResponse(ex: Exchange, r: ResponseRecord): Promise<RecordedEvent | null> {
  const payload: LlmResponsePayload = {
    requestId: ex.requestId,
    status: r.status,
    stream: ex.stream,
    choices: r.choices ?? [],
    usage: r.usage ?? null,
    ttftMs: r.ttftMs === undefined || r.ttftMs === null ? null : round(r.ttftMs),
    durationMs: round(performance.now() - ex.started),
    body: r.body ?? null,
    bodyText: r.bodyText ?? null,
    error: r.error ? { code: r.error.code, message: r.error.message } : (r.upstreamFailure ?? null),
    partial: r.partial,
    providerId: r.providerId ?? null,
    upstreamRequestId: upstreamRequestId(r.upstreamHeaders),
  };
  return ex.session.observe('llm.response', payload);
}

/** A complete body: recorded first, then delivered. */
export async function relayWhole(
  res: ServerResponse,
  upstream: UpstreamAnswer,
  ex: Exchange,
  signal: AbortSignal,
): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readAll(upstream.body);
  } catch (err) {
    const error = signal.aborted
      ? new VigilError('upstream_failed', 'the request was cut')
      : classifyUpstreamFailure(err, 'body');
    await recordResponse(ex, {
      status: upstream.statusCode,
      error,
      partial: true,
      upstreamHeaders: upstream.headers,
    }).catch(() => undefined);
    sendError(res, error, ex.shape);
    return;
  }
  if (!readableAsUtf8(bytes)) {
    const error = new VigilError(
      'upstream_failed',
      'the upstream answered with a body that is not UTF-8 text, which Vigil cannot record as a client reads it',
    );
    await recordResponse(ex, {
      status: upstream.statusCode,
      error,
      partial: false,
      upstreamHeaders: upstream.headers,
    }).catch(() => undefined);
    sendError(res, error, ex.shape);
    return;
  }
  let parsed: unknown = null;
  try {
    const text = bytes.toString('utf8');
    parsed = bytes.length ? JSON.parse(text) : null;
    // A number read as Infinity cannot be recorded as a value (canonical JSON has none): the answer
    // is recorded as the text the client gets. Until 6 December it failed as record_failed.
    if (mayHoldNonFinite(text) && holdsNonFiniteNumber(parsed as JsonValue)) parsed = null;
    // A key twice in one object (JSON.parse keeps the last), or two that differ only in case (a Go
    // client reads `Content` as `content`): clients read such an answer differently, so it is
    // recorded as the text it is, not as one reading of it (until 7 December the reading alone).
    if (parsed !== null && typeof parsed === 'object') assertUnambiguousKeys(bytes, parsed as JsonValue);
  } catch {
    parsed = null;
  }
  const upstreamFailure =
    upstream.statusCode >= 400
      ? (errorFromBody(parsed) ?? { code: `http_${upstream.statusCode}`, message: '' })
      : null;
  try {
    await recordResponse(ex, {
      status: upstream.statusCode,
      body: logprobsMasked(parsed as JsonValue, ex.masking),
      // What cannot be read as JSON is still what the client gets: recorded as text.
      ...(parsed === null && bytes.length > 0 ? { bodyText: bytes.toString('utf8') } : {}),
      choices: choicesFromBody(ex.api, parsed),
      usage: usageFromBody(parsed),
      upstreamFailure,
      partial: false,
      providerId: idFromBody(parsed),
      upstreamHeaders: upstream.headers,
    });
  } catch (err) {
    sendError(res, toVigilError(err, 'record_failed'), ex.shape);
    return;
  }
  const masking = clientMasking(ex, upstream.statusCode);
  // Unmasked otherwise, an answer still never hands the client a secret the gateway holds.
  const delivered = masking
    ? maskWhole(bytes, parsed, masking)
    : knownSecretsMaskedAnswer(bytes, parsed, ex.masking.masker);
  const headers = knownSecretsMaskedHeaders(clientResponseHeaders(upstream.headers), ex.masking.masker);
  headers['content-length'] = delivered.length;
  res.writeHead(upstream.statusCode, headers);
  res.end(delivered);
}

/**
 * Whether a whole answer reads as one text to every client. Every model API answers in UTF-8 JSON,
 * but a client may read the bytes otherwise: Python's json.loads (the openai and anthropic SDKs'
 * httpx) takes UTF-16 and UTF-32 by their NUL bytes, so an answer in UTF-16 (valid UTF-8 to Vigil,
 * a NUL after every ASCII character) was text no pattern matched: a key in it was recorded in clear
 * and reached a `mask_responses` client unmasked. UTF-8 text never holds a raw NUL.
 */
function readableAsUtf8(bytes: Buffer): boolean {
  return isUtf8(bytes) && !bytes.includes(0);
}

/**
 * An answer whose logprobs do not spell what the masker masks in their text (logprob-masking.ts):
 * the masker reads a payload value by value, and a secret as tokens is many short values.
 */
function logprobsMasked<T extends JsonValue>(body: T, { masker, connection }: Exchange['masking']): T {
  return maskLogprobs(body, (text) => masker.maskText(text, connection));
}

/** Live masking of a complete body: JSON is masked value by value, anything else as text. */
function maskWhole(
  bytes: Buffer,
  parsed: unknown,
  { masker, connection }: NonNullable<Exchange['liveMasking']>,
): Buffer {
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const tokensMasked = logprobsMasked(parsed as JsonObject, { masker, connection });
    return Buffer.from(JSON.stringify(masker.maskPayload(tokensMasked, connection)));
  }
  return Buffer.from(masker.maskText(bytes.toString('utf8'), connection));
}

/** A stream: every chunk passes on as it arrives; only the terminal event waits for the record. */
export async function relayStream(
  res: ServerResponse,
  upstream: UpstreamAnswer,
  ex: Exchange,
  signal: AbortSignal,
): Promise<void> {
  const reader = new SseEventReader();
  const assembler = new StreamAssembler(ex.api);
  const masking = clientMasking(ex, upstream.statusCode);
  const rewriter = masking ? new SseMaskingRewriter(ex.api, masking.masker, masking.connection) : null;
  // Unmasked otherwise, an event still never hands the client a secret the gateway holds, even one
  // cut across two deltas (known-secrets-stream.ts).
  const known = masking ? null : new KnownSecretsSseRewriter(ex.api, ex.masking.masker);
  // The events are written out again (sse-events.ts): the client reads exactly the events recorded.
  const headers = knownSecretsMaskedHeaders(clientResponseHeaders(upstream.headers), ex.masking.masker);
  delete headers['content-length'];
  res.writeHead(upstream.statusCode, headers);
  res.flushHeaders();
  let ttftMs: number | null = null;
  /** The terminal (or error) event and what came before it in its chunk: sent once the record is written. */
  let held: string | null = null;
  let failure: VigilError | null = null;
  try {
    for await (const chunk of upstream.body) {
      if (ttftMs === null) ttftMs = performance.now() - ex.started;
      // After the terminal event the body is drained, never relayed or recorded: a client stops there.
      if (held !== null) continue;
      let outgoing = '';
      for (const item of reader.push(chunk)) {
        if (!('event' in item)) {
          outgoing += SSE_KEEP_ALIVE;
          continue;
        }
        // Named as the record reads it (event-names.ts): the client's SDK then reads what is recorded.
        const { event, json } = namedAsRead(ex.api, item.event);
        assembler.read(event, json);
        // An event the client's SDK would read otherwise than the record: not relayed, the stream is cut.
        if (assembler.refusal !== null) {
          failure = new VigilError('upstream_failed', assembler.refusal);
          break;
        }
        // The text still held goes out before the terminal event, which a client stops reading at.
        if (known && assembler.ended) outgoing += known.finish();
        outgoing += rewriter ? rewriter.rewrite(event) : known!.rewrite(event);
        if (assembler.ended) break;
      }
      if (failure !== null) {
        if (outgoing.length > 0) res.write(outgoing);
        break;
      }
      if (assembler.ended) held = outgoing;
      else if (outgoing.length > 0) res.write(outgoing);
    }
  } catch (err) {
    failure = signal.aborted
      ? new VigilError('upstream_failed', 'the stream was cut before it finished')
      : classifyUpstreamFailure(err, 'body');
  }
  const partial = failure !== null || !assembler.terminal;
  try {
    await recordResponse(ex, {
      status: upstream.statusCode,
      body: logprobsMasked(assembler.body(), ex.masking),
      choices: assembler.choices(),
      usage: assembler.usage,
      ttftMs,
      upstreamFailure: assembler.error,
      // An upstream's own error event says why the stream ended early better than Vigil can.
      error:
        failure ??
        (partial && assembler.error === null
          ? new VigilError('upstream_failed', 'the stream ended without its final event')
          : null),
      partial,
      providerId: assembler.providerId,
      upstreamHeaders: upstream.headers,
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
  // A stream that stopped without its terminal event: what was held goes out, as it was recorded.
  res.end(held ?? (known?.finish() || undefined));
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
