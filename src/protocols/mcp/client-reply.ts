// Sends what the upstream answered for one request back to the client: a single JSON response when
// the answer is all there is, else an SSE stream (notifications, server requests, then the answer),
// each message written as it arrives, the server's notifications recorded as they go (deferred,
// notifications.ts). `onAnswer` runs (deciding a listing) before the answer is
// written, `afterAnswer` (recording a result nobody waits for) once it has been handed to the
// socket; a failure after the stream has started becomes the request's JSON-RPC error in the
// stream, so the client is never left waiting.
import type { ServerResponse } from 'node:http';
import { toVigilError, type VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { answers, type JsonRpcId, type JsonRpcMessage, toWire } from './jsonrpc.js';
import type { ServerNotified } from './notifications.js';
import type { ServerRequestGate } from './server-requests.js';
import { rpcErrorBody, sendRpcError } from './wire-errors.js';

export interface ReplyOptions {
  readonly id: JsonRpcId;
  readonly headers: Record<string, string>;
  /** The answer on its way, before the client has it; returns what the client gets (a listing may be filtered). */
  readonly onAnswer?: (answer: JsonRpcMessage) => Promise<JsonRpcMessage>;
  /**
   * The answer as the client got it, just after it was written, in the same tick (so its record is
   * queued before anything of the client's next request): for a deferred record, whose masking and
   * encoding then no longer hold the answer back.
   */
  readonly afterAnswer?: (answer: JsonRpcMessage) => void;
  /** The upstream failed before answering; records it. */
  readonly onFailure: (error: VigilError) => Promise<void>;
  /** Decides each request the server sends the client meanwhile (server-requests.ts). */
  readonly serverRequests: ServerRequestGate;
  /** Decides each notification the server sends the client meanwhile, and records it just after it is written. */
  readonly notified: ServerNotified;
  readonly view: ClientView;
  readonly signal: AbortSignal;
}

/**
 * What the client may see of the server's messages. The client must never hold a credential Vigil
 * sent the server, and a server may quote it: in a refusal, or in a tool's answer that shows what
 * it was sent (a debugging tool, a stack trace, a program that prints its environment).
 */
export interface ClientView {
  /** A JSON-RPC error, masked as it is recorded. */
  error(error: JsonObject): JsonObject;
  /** Any message's wire text, with the secrets the gateway holds masked (nothing else). */
  wire(text: string): string;
}

/**
 * Whether a server's message answers some request. On a POST's stream only the answer to that
 * POST's request may pass, and on the GET stream none (the transport spec; Vigil offers no
 * resumption): a server that answered a pending call on another stream would hand the client a
 * result other than the one recorded for that call, which Vigil reads from the call's own stream.
 * Such an answer is dropped; the client still gets the call's own answer, as recorded. An error
 * with id null (a message the server could not read) answers no request and still passes.
 */
function isResponse(message: JsonRpcMessage): boolean {
  return message.kind === 'response' || (message.kind === 'error' && message.id !== null);
}

/** A server's JSON-RPC error as the client may see it; other messages as they are. */
function maskedError(message: JsonRpcMessage, view: ClientView): JsonRpcMessage {
  return message.kind === 'error' ? { ...message, error: view.error(message.error) } : message;
}

function sseEvent(message: JsonObject, view: ClientView): string {
  return `event: message\ndata: ${view.wire(JSON.stringify(message))}\n\n`;
}

export async function relayReply(
  res: ServerResponse,
  messages: AsyncIterable<JsonRpcMessage>,
  options: ReplyOptions,
): Promise<void> {
  let streaming = false;
  let answered = false;
  let failureRecorded = false;
  const recordFailure = async (error: VigilError) => {
    if (answered || failureRecorded) return;
    failureRecorded = true;
    await options.onFailure(error).catch(() => undefined);
  };
  try {
    for await (const served of messages) {
      if (options.signal.aborted) break;
      const message = served.kind === 'request' ? await options.serverRequests(served) : served;
      if (message === null) continue;
      const isAnswer = answers(message, options.id);
      if (!isAnswer && isResponse(message)) continue;
      if (!options.notified.admit(message)) continue;
      const shown = maskedError(message, options.view);
      const out = isAnswer && options.onAnswer ? await options.onAnswer(shown) : shown;
      if (isAnswer) answered = true;
      if (!streaming && isAnswer) {
        const text = options.view.wire(JSON.stringify(toWire(out)));
        res.writeHead(200, {
          ...options.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
        });
        res.end(text);
        options.afterAnswer?.(out);
        return;
      }
      if (!streaming) {
        res.writeHead(200, {
          ...options.headers,
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        });
        streaming = true;
      }
      res.write(sseEvent(toWire(out), options.view));
      if (isAnswer) {
        options.afterAnswer?.(out);
        break;
      }
      if (out.kind !== 'request') options.notified.record(out);
    }
    if (!answered && !options.signal.aborted) {
      throw toVigilError(new Error('the upstream ended without answering'), 'upstream_failed');
    }
  } catch (err) {
    const error = toVigilError(err, 'upstream_failed');
    await recordFailure(error);
    if (options.signal.aborted || res.destroyed) return;
    if (streaming) res.write(sseEvent(rpcErrorBody(error, options.id), options.view));
    else sendRpcError(res, error, options.id);
  } finally {
    if (streaming && !res.writableEnded) res.end();
  }
  if (!answered && options.signal.aborted) {
    await options
      .onFailure(toVigilError(new Error('the client went away'), 'upstream_failed'))
      .catch(() => undefined);
  }
}

/** Relays a stream of server messages with no request to answer (the GET stream) until it ends. */
export async function relayServerStream(
  res: ServerResponse,
  messages: AsyncIterable<JsonRpcMessage>,
  headers: Record<string, string>,
  server: { readonly requests: ServerRequestGate; readonly notified: ServerNotified },
  view: ClientView,
  signal: AbortSignal,
): Promise<void> {
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  try {
    for await (const served of messages) {
      if (signal.aborted) break;
      const message = served.kind === 'request' ? await server.requests(served) : served;
      if (message === null) continue;
      if (isResponse(message) || !server.notified.admit(message)) continue;
      const shown = maskedError(message, view);
      res.write(sseEvent(toWire(shown), view));
      if (shown.kind !== 'request') server.notified.record(shown);
    }
  } catch {
    // The upstream's stream broke: the client reconnects its GET stream if it wants one.
  } finally {
    if (!res.writableEnded) res.end();
  }
}
