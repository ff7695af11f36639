// The re-run endpoint: an HTTP server on the LLM connection's routes (OpenAI chat, completions,
// responses, embeddings, models; Anthropic messages) that answers each request from the recording.
// The incoming body is masked with the gateway's masker before matching, because the recording
// holds masked requests; what is served is the recording, so it stays masked too.
// With `--mcp`, `/mcp` is the recorded MCP sessions' endpoint (mcp-endpoint.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toVigilError, VigilError } from '../core/errors.js';
import type { JsonValue } from '../core/events.js';
import type { PayloadMasker } from '../core/ports.js';
import { parseJsonBody } from '../http/json-body.js';
import { readRequestBody } from '../http/read-body.js';
import { parseRequestUrl } from '../http/request-path.js';
import { type ErrorShape, sendError } from '../protocols/llm/http-errors.js';
import { classifyLlmRoute, expectsJsonBody } from '../protocols/llm/routes.js';
import { addressedToRerun } from './host-guard.js';
import { holdsMaskedValue } from './masked-values.js';
import { RerunMatcher } from './matcher.js';
import type { McpEndpoint } from './mcp-endpoint.js';
import { streamDelays, type Timing, wholeDelay } from './pacing.js';
import type { RecordedCalls } from './recorded-calls.js';
import type { RerunReport } from './report.js';
import { deliveryOf, type WireAnswer, wireAnswer } from './wire-answer.js';

const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface RerunServerOptions {
  readonly session: string;
  readonly recorded: RecordedCalls;
  readonly masker: PayloadMasker;
  readonly timing: Timing;
  /** The MCP endpoint served at `/mcp`, when MCP sessions are re-run too. */
  readonly mcp?: McpEndpoint;
}

export interface RerunServer {
  /** http://host:port, no trailing slash. */
  readonly url: string;
  report(): RerunReport;
  close(): Promise<void>;
}

export async function startRerunServer(
  options: RerunServerOptions,
  host: string,
  port: number,
): Promise<RerunServer> {
  const matcher = new RerunMatcher(options.recorded.calls);
  const unmatched: RerunReport['unmatched'] = [];
  let answered = 0;
  const maskedAnswers = new Set<number>();
  // Masking is per connection; a session's model calls all came through one.
  const connection = options.recorded.calls[0]?.connection ?? '';
  const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!addressedToRerun(req.headers.host, host)) {
      const refusal = new VigilError(
        'forbidden_connection',
        'the re-run answers requests addressed to it by IP address or localhost only (DNS-rebinding protection)',
      );
      sendError(res, refusal, req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai');
      return;
    }
    const path = parseRequestUrl(req.url).pathname;
    if (path === '/mcp' && options.mcp) {
      await options.mcp.handle(req, res);
      return;
    }
    const anthropic = req.headers['anthropic-version'] !== undefined || path.startsWith('/v1/messages');
    const shape: ErrorShape = anthropic ? 'anthropic' : 'openai';
    const api = classifyLlmRoute(anthropic ? 'llm-anthropic' : 'llm-openai', req.method ?? 'GET', path);
    try {
      if (!api) throw new VigilError('route_unknown', `no model API at ${req.method} ${path}`);
      const raw = await readRequestBody(req, MAX_BODY_BYTES);
      const body: JsonValue = expectsJsonBody(api) ? parseJsonBody(raw) : null;
      const masked = options.masker.maskPayload({ body }, connection).body ?? null;
      const result = matcher.match(api, path, masked);
      if (result.kind === 'unmatched') {
        unmatched.push(result.unmatched);
        throw noAnswer(result.unmatched.position, result.unmatched.closest?.position ?? null);
      }
      answered++;
      res.setHeader('x-vigil-rerun-of', String(result.call.position));
      res.setHeader('x-vigil-request-id', result.call.requestId);
      if (holdsMaskedValue(result.call.response)) {
        maskedAnswers.add(result.call.position);
        res.setHeader('x-vigil-masked', 'true');
      }
      await send(res, wireAnswer(result.call, deliveryOf(body)), result.call.response, options.timing);
    } catch (err) {
      sendError(res, toVigilError(err), shape);
    }
  };

  const send = async (
    res: ServerResponse,
    answer: WireAnswer,
    recorded: Parameters<typeof wholeDelay>[0],
    timing: Timing,
  ): Promise<void> => {
    if (answer.kind === 'json') {
      await sleep(wholeDelay(recorded, timing));
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    const delays = streamDelays(recorded, answer.events.length, timing);
    res.writeHead(answer.status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    for (const [i, event] of answer.events.entries()) {
      await sleep(delays[i] ?? 0);
      if (res.destroyed) return;
      res.write(event);
    }
    // A recording that broke mid-stream breaks here too: the client sees what it saw then.
    if (answer.cut) res.destroy();
    else res.end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    report: () => ({
      session: options.session,
      requests: matcher.requests,
      answered,
      recorded: options.recorded.calls.length,
      unmatched: [...unmatched],
      unserved: matcher.unserved(),
      unanswerable: options.recorded.unanswerable.map((u) => u.position),
      masked: [...maskedAnswers].sort((a, b) => a - b),
      ...(options.mcp ? { mcp: options.mcp.report() } : {}),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function noAnswer(position: number, closest: number | null): VigilError {
  const near =
    closest === null ? 'no recorded request of this API' : `the closest is recorded request #${closest}`;
  return new VigilError(
    'rerun_no_recorded_answer',
    `request #${position} of the re-run has no recorded answer (${near}); see the re-run report`,
    {
      details: { position, closest },
    },
  );
}
