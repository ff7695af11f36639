// The stand-in model's HTTP server (node:http, no framework): routes, the key check, recording of
// every request, and mapping of errors to each provider's shape.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleCountTokens, handleMessages } from './anthropic-messages.js';
import { checkApiKey } from './auth.js';
import { DEMO_MODEL_IDS, ModelCatalogue } from './catalogue.js';
import type { Exchange } from './exchange.js';
import { ClientGone, parseJsonObject, readBody, StreamKilled, sendJson, sleep } from './http-io.js';
import { handleChat } from './openai-chat.js';
import { handleCompletions } from './openai-completions.js';
import { handleEmbeddings } from './openai-embeddings.js';
import { handleResponses } from './openai-responses.js';
import { lowerCaseHeaders } from './prompt-fields.js';
import { loadScript } from './script.js';
import { randomId } from './text.js';
import type { DemoModel, DemoModelOptions, DemoRequestOutcome, RecordedDemoRequest } from './types.js';
import { badRequest, DemoRequestError, errorBody, type WireFlavour } from './wire-errors.js';

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  readonly flavour: WireFlavour;
  readonly handle: (ex: Exchange, params: string[], catalogue: ModelCatalogue) => Promise<void>;
}

const ROUTES: readonly Route[] = [
  { method: 'POST', path: /^\/v1\/chat\/completions$/, flavour: 'openai', handle: handleChat },
  { method: 'POST', path: /^\/v1\/completions$/, flavour: 'openai', handle: handleCompletions },
  { method: 'POST', path: /^\/v1\/responses$/, flavour: 'openai', handle: handleResponses },
  { method: 'POST', path: /^\/v1\/embeddings$/, flavour: 'openai', handle: handleEmbeddings },
  { method: 'POST', path: /^\/v1\/messages$/, flavour: 'anthropic', handle: handleMessages },
  { method: 'POST', path: /^\/v1\/messages\/count_tokens$/, flavour: 'anthropic', handle: handleCountTokens },
  {
    method: 'GET',
    path: /^\/v1\/models$/,
    flavour: 'openai',
    handle: async (ex, _p, c) =>
      sendJson(ex.res, 200, ex.flavour === 'openai' ? c.openaiList() : c.anthropicList(), ex.responseHeaders),
  },
  {
    method: 'GET',
    path: /^\/v1\/models\/(.+)$/,
    flavour: 'openai',
    handle: async (ex, [id], c) =>
      sendJson(
        ex.res,
        200,
        ex.flavour === 'openai' ? c.openaiOne(id!) : c.anthropicOne(id!),
        ex.responseHeaders,
      ),
  },
];

export async function startDemoModel(options: DemoModelOptions = {}): Promise<DemoModel> {
  const respond = options.respond ?? (options.script === undefined ? undefined : loadScript(options.script));
  const catalogue = new ModelCatalogue(options.models ?? DEMO_MODEL_IDS);
  const requests: RecordedDemoRequest[] = [];
  const settings = {
    respond,
    catalogue,
    apiKey: options.apiKey,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    tokensPerChunk: options.tokensPerChunk ?? 1,
    latencyMs: options.latencyMs ?? 0,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
  };
  const server = createServer({ noDelay: true }, (req, res) => {
    void handle(req, res, requests, settings);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hung and keep-alive connections would hold close() open forever.
        server.closeAllConnections();
      }),
  };
}

type Settings = {
  readonly respond: DemoModelOptions['respond'];
  readonly catalogue: ModelCatalogue;
  readonly apiKey: string | undefined;
  readonly chunkDelayMs: number;
  readonly tokensPerChunk: number;
  readonly latencyMs: number;
  readonly maxBodyBytes: number;
};

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  requests: RecordedDemoRequest[],
  settings: Settings,
): Promise<void> {
  const headers = lowerCaseHeaders(req.headers);
  const record = startRecord(req, res, headers);
  requests.push(record.request);
  const path = new URL(req.url ?? '/', 'http://demo').pathname.replace(/\/+$/, '');
  const route = ROUTES.find((r) => r.method === req.method && r.path.test(path));
  const flavour: WireFlavour =
    path.startsWith('/v1/messages') || (route?.method === 'GET' && headers['anthropic-version'] !== undefined)
      ? 'anthropic'
      : 'openai';
  const requestId = randomId('req_', 32, 'hex');
  const responseHeaders: Record<string, string> =
    flavour === 'openai'
      ? { 'x-request-id': requestId, 'openai-version': '2020-10-01', 'openai-processing-ms': '1' }
      : { 'request-id': requestId };
  try {
    await sleep(settings.latencyMs);
    const raw = await readBody(req, settings.maxBodyBytes);
    if (raw.length > 0) record.request.body = tryJson(raw);
    if (route === undefined) {
      throw new DemoRequestError(
        flavour === 'openai'
          ? { status: 404, message: `Invalid URL (${req.method} ${path})` }
          : { status: 404, message: 'Not Found' },
      );
    }
    if (settings.apiKey !== undefined) {
      const denied = checkApiKey(flavour, headers, settings.apiKey);
      if (denied) throw new DemoRequestError(denied);
    }
    if (flavour === 'anthropic' && headers['anthropic-version'] === undefined) {
      throw badRequest('anthropic-version: header is required');
    }
    const body = route.method === 'POST' ? parseJsonObject(raw) : {};
    if (typeof body.model === 'string' && body.model !== '') settings.catalogue.require(body.model, flavour);
    const exchange: Exchange = {
      res,
      flavour,
      headers,
      body,
      requestId,
      chunkDelayMs: settings.chunkDelayMs,
      tokensPerChunk: settings.tokensPerChunk,
      respond: settings.respond,
      markFailed: () => record.settle('failed'),
      responseHeaders,
    };
    const params = route.path.exec(path)!.slice(1).map(decodeURIComponent);
    await route.handle(exchange, params, settings.catalogue);
  } catch (err) {
    if (err instanceof ClientGone || err instanceof StreamKilled) return;
    if (res.headersSent || res.destroyed) {
      // Too late for an error body: break the stream so the client sees the failure.
      record.settle('failed');
      res.destroy();
      return;
    }
    const reply =
      err instanceof DemoRequestError
        ? err.reply
        : {
            status: 500,
            message: `The demo model failed: ${err instanceof Error ? err.message : String(err)}`,
          };
    sendJson(res, reply.status, errorBody(flavour, reply, requestId), responseHeaders);
  }
}

function startRecord(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>) {
  let resolveSettled!: (outcome: DemoRequestOutcome) => void;
  const request: RecordedDemoRequest = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    body: null,
    receivedAt: Date.now(),
    status: null,
    outcome: 'pending',
    settled: new Promise((resolve) => {
      resolveSettled = resolve;
    }),
  };
  const settle = (outcome: DemoRequestOutcome) => {
    if (request.outcome !== 'pending') return;
    request.outcome = outcome;
    resolveSettled(outcome);
  };
  res.once('close', () => {
    if (res.headersSent) request.status = res.statusCode;
    settle(res.writableFinished ? 'completed' : 'aborted');
  });
  return { request, settle };
}

function tryJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
}
