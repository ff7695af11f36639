// An upstream MCP server over streamable HTTP: each client message is POSTed on with the injected
// credential, the upstream's session id and protocol version; its answer (application/json, or an
// SSE stream of messages ending with the response) is read message by message and never buffered
// whole. The client's own headers never reach it: Vigil builds every header itself.
import { createParser } from 'eventsource-parser';
import { Agent, type Dispatcher, request } from 'undici';
import { VigilError } from '../../core/errors.js';
import { decodedAnswer } from '../../http/content-decoding.js';
import { parseJsonBody } from '../../http/json-body.js';
import { upstreamFailure } from '../../http/upstream-errors.js';
import type { McpConnectionConfig } from './config.js';
import { answers, type JsonRpcMessage, readJsonRpcMessage, toWire } from './jsonrpc.js';
import { MessageQueue } from './message-queue.js';
import type { McpUpstream, UpstreamReply, UpstreamTarget } from './upstream.js';

export class HttpUpstream implements McpUpstream {
  readonly #config: McpConnectionConfig;
  readonly #credential: string | null;
  readonly #agent: Agent;

  constructor(config: McpConnectionConfig, credential: string | null) {
    this.#config = config;
    this.#credential = credential;
    this.#agent = new Agent({
      connect: { timeout: config.timeouts.connect },
      headersTimeout: config.timeouts.request,
      bodyTimeout: config.timeouts.request,
      keepAliveTimeout: 30_000,
    });
  }

  #headers(target: UpstreamTarget, accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept };
    if (target.session?.upstreamSessionId) headers['mcp-session-id'] = target.session.upstreamSessionId;
    const version = target.session?.protocolVersion ?? target.protocolVersion;
    if (version) headers['mcp-protocol-version'] = version;
    if (this.#credential !== null) {
      const name = this.#config.credential_header.toLowerCase();
      headers[name] = name === 'authorization' ? `Bearer ${this.#credential}` : this.#credential;
    }
    return headers;
  }

  async send(message: JsonRpcMessage, target: UpstreamTarget, signal: AbortSignal): Promise<UpstreamReply> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.#config.upstream, {
        method: 'POST',
        headers: {
          ...this.#headers(target, 'application/json, text/event-stream'),
          'content-type': 'application/json',
        },
        body: JSON.stringify(toWire(message)),
        signal,
        dispatcher: this.#agent,
      });
    } catch (err) {
      throw upstreamFailure(err, 'connect');
    }
    const sessionId = headerOf(res, 'mcp-session-id');
    if (res.statusCode === 202 || res.statusCode === 204) {
      await res.body.dump();
      return { sessionId, messages: emptyMessages() };
    }
    if (res.statusCode === 404 && target.session?.upstreamSessionId) {
      await res.body.dump();
      throw new VigilError(
        'session_unknown',
        'the upstream no longer knows this MCP session; initialize again',
      );
    }
    const contentType = headerOf(res, 'content-type') ?? '';
    if (contentType.includes('text/event-stream')) {
      return { sessionId, messages: this.#stream(res, message.kind === 'request' ? message.id : null) };
    }
    // JSON: an answer, or a JSON-RPC error the upstream sent with an error status.
    const raw = await readCapped(res, bodyOf(res), this.#config.max_message_bytes);
    if (res.statusCode >= 400 && !contentType.includes('json')) {
      throw new VigilError('upstream_failed', `the upstream answered HTTP ${res.statusCode}`);
    }
    let parsed: JsonRpcMessage;
    try {
      parsed = readJsonRpcMessage(parseJsonBody(raw));
    } catch (err) {
      throw new VigilError('upstream_failed', 'the upstream sent a message that is not JSON-RPC', {
        cause: err,
      });
    }
    // An upstream that refuses a request before reading it (a bad session, an unsupported version)
    // answers with id null: that is still this request's answer.
    if (parsed.kind === 'error' && parsed.id === null && message.kind === 'request') {
      parsed = { ...parsed, id: message.id };
    }
    return { sessionId, messages: oneMessage(parsed) };
  }

  /** The SSE stream's messages until the one answering `id` (or the end, for a GET stream). */
  #stream(res: Dispatcher.ResponseData, id: string | number | null): AsyncIterable<JsonRpcMessage> {
    const queue = new MessageQueue<JsonRpcMessage>();
    const max = this.#config.max_message_bytes;
    const parser = createParser({
      onEvent(event) {
        if (event.data === '' || queue.ended) return; // priming events carry no message
        if (event.data.length > max) {
          queue.fail(new VigilError('message_too_large', `the upstream sent a message over ${max} bytes`));
          return;
        }
        let message: JsonRpcMessage;
        try {
          message = readJsonRpcMessage(parseJsonBody(Buffer.from(event.data)));
        } catch (err) {
          queue.fail(
            new VigilError('upstream_failed', 'the upstream sent an event that is not JSON-RPC', {
              cause: err,
            }),
          );
          return;
        }
        queue.push(message);
        if (id !== null && answers(message, id)) queue.end();
      },
    });
    // One decoder for the whole stream: a character whose UTF-8 bytes arrive in two chunks is read
    // whole. Decoded chunk by chunk (until 7 December) each half became U+FFFD, so the client and
    // the record got another text than the server sent.
    const decoder = new TextDecoder();
    const pump = async () => {
      try {
        for await (const chunk of bodyOf(res)) {
          if (queue.ended) break;
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
        if (!queue.ended) parser.feed(decoder.decode());
        if (!queue.ended && id !== null) {
          queue.fail(new VigilError('upstream_failed', 'the upstream closed the stream before answering'));
        }
        queue.end();
      } catch (err) {
        queue.fail(upstreamFailure(err, 'body'));
      } finally {
        res.body.destroy();
      }
    };
    void pump();
    return queue;
  }

  async listen(target: UpstreamTarget, signal: AbortSignal): Promise<AsyncIterable<JsonRpcMessage> | null> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.#config.upstream, {
        method: 'GET',
        headers: this.#headers(target, 'text/event-stream'),
        signal,
        dispatcher: this.#agent,
        bodyTimeout: 0,
      });
    } catch (err) {
      throw upstreamFailure(err, 'connect');
    }
    if (res.statusCode !== 200 || !(headerOf(res, 'content-type') ?? '').includes('text/event-stream')) {
      await res.body.dump();
      return null;
    }
    return this.#stream(res, null);
  }

  async terminate(target: UpstreamTarget): Promise<void> {
    if (!target.session?.upstreamSessionId) return;
    try {
      const res = await request(this.#config.upstream, {
        method: 'DELETE',
        headers: this.#headers(target, 'application/json'),
        dispatcher: this.#agent,
      });
      await res.body.dump();
    } catch {
      // The upstream session expires on its own; the client's session is over either way.
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function headerOf(res: Dispatcher.ResponseData, name: string): string | null {
  const v = res.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] ?? null) : null;
}

/**
 * The answer's body as identity bytes: an upstream may compress although Vigil asks for nothing
 * else (content-decoding.ts; a coding Vigil cannot read throws upstream_failed, fail closed).
 */
function bodyOf(res: Dispatcher.ResponseData): AsyncIterable<Uint8Array> {
  return decodedAnswer(res.headers, res.body).body;
}

async function readCapped(
  res: Dispatcher.ResponseData,
  body: AsyncIterable<Uint8Array>,
  max: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      total += (chunk as Buffer).length;
      if (total > max) {
        res.body.destroy();
        throw new VigilError('message_too_large', `the upstream sent a message over ${max} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof VigilError) throw err;
    throw upstreamFailure(err, 'body');
  }
  return Buffer.concat(chunks, total);
}

async function* oneMessage(m: JsonRpcMessage): AsyncIterable<JsonRpcMessage> {
  yield m;
}

async function* emptyMessages(): AsyncIterable<JsonRpcMessage> {}
