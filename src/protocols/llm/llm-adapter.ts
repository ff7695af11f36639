// The model-traffic adapter: OpenAI- and Anthropic-compatible HTTP at /c/<connection>/...
// It turns requests and responses into llm.request / llm.response events and reaches identity,
// policy, masking and the ledger only through the module context: admission first, then routing
// and the body (refusals recorded in the admitted session), then the write-ahead exchange
// (src/protocols/llm/exchange.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { toVigilError, VigilError } from '../../core/errors.js';
import { holdsNonFiniteNumber } from '../../core/json-finite.js';
import { parseClientJson } from '../../http/json-body.js';
import { readRequestBody } from '../../http/read-body.js';
import { decodeRequestBody } from '../../http/request-decoding.js';
import type { ModuleContext } from '../../pipeline/module-context.js';
import { admissionRequest } from './admission.js';
import type { LlmConnectionConfig } from './config.js';
import { assertExactIntegers } from './exact-integers.js';
import { type AdmittedRequest, type LlmTarget, runExchange } from './exchange.js';
import { sendError } from './http-errors.js';
import { assertNoMethodOverride } from './method-override.js';
import { assertAllowedQuery } from './query-parameters.js';
import { classifyLlmRoute, expectsJsonBody } from './routes.js';
import { assertUtf8Body } from './utf8-body.js';

/** Refused after admission, before anything is forwarded: recorded as access.denied in the session. */
const REQUEST_REFUSALS = new Set([
  'route_unknown',
  'body_too_large',
  'body_invalid_json',
  'body_too_deep',
  'body_encoding_unsupported',
  'protocol_violation',
  'method_override_refused',
]);

export class LlmConnection {
  readonly config: LlmConnectionConfig;
  readonly #ctx: ModuleContext;
  readonly #target: LlmTarget;

  constructor(config: LlmConnectionConfig, ctx: ModuleContext) {
    this.config = config;
    this.#ctx = ctx;
    this.#target = {
      config,
      credential: ctx.credential(config.name),
      shape: config.type === 'llm-anthropic' ? 'anthropic' : 'openai',
      masker: ctx.masker,
      agent: new Agent({
        connect: { timeout: config.timeouts.connect },
        headersTimeout: config.timeouts.headers,
        bodyTimeout: config.timeouts.body,
        keepAliveTimeout: 30_000,
      }),
    };
  }

  async close(): Promise<void> {
    await this.#target.agent.close();
  }

  /** Handles one request whose path has already lost its /c/<name> prefix. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const method = req.method ?? 'GET';
    let release = () => {};
    try {
      // A refused caller is recorded by admit itself, attributed as far as it is known.
      const session = await this.#ctx.admit(admissionRequest(req, this.config, method, path));
      // Held from here, so the session cannot go idle while the body is read or the answer relayed.
      release = session.begin();
      let request: AdmittedRequest;
      try {
        request = await this.#read(req, method, path, search);
      } catch (err) {
        const error = toVigilError(err);
        if (REQUEST_REFUSALS.has(error.code)) {
          await session.refuse(error, { method, path, ...(search !== '' ? { query: search } : {}) });
        }
        throw error;
      }
      await runExchange(this.#target, session, req, res, request);
    } catch (err) {
      const error = toVigilError(err);
      if (error.code === 'internal') this.#ctx.logger.warn({ err: error.message }, 'llm request failed');
      sendError(res, error, this.#target.shape, error.code === 'body_too_large');
    } finally {
      release();
    }
  }

  async #read(req: IncomingMessage, method: string, path: string, search: string): Promise<AdmittedRequest> {
    const api = classifyLlmRoute(this.config.type, method, path);
    if (!api) throw new VigilError('route_unknown', `no ${this.config.type} route for ${method} ${path}`);
    const sent = await readRequestBody(req, this.#ctx.maxBodyBytes);
    // A compressed body is judged, recorded and forwarded decoded (request-decoding.ts): forwarded
    // as sent with its content-encoding, a body read here as plain JSON could decode upstream to
    // another text (a brotli stream has no magic bytes to tell it from JSON).
    const { body: raw } = await decodeRequestBody(
      req.headers['content-encoding'],
      sent,
      this.#ctx.maxBodyBytes,
    );
    // Read as UTF-8 with its faults replaced, a body would be judged as a text the upstream never reads.
    if (expectsJsonBody(api)) assertUtf8Body(raw);
    const body = expectsJsonBody(api) ? parseClientJson(raw) : null;
    // Policy reads a request's fields (action-facts.ts); a body that is an array or a bare value has
    // none, so a pattern would read nothing of whatever an upstream makes of it.
    if (expectsJsonBody(api) && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      throw new VigilError('body_invalid_json', 'the request body must be a JSON object');
    }
    // Read as Infinity, a number could be neither recorded (canonical JSON has none) nor forwarded
    // as sent: until 6 December such a request failed as record_failed, a code that blames Vigil.
    if (body !== null && holdsNonFiniteNumber(body)) {
      throw new VigilError('body_invalid_json', 'the request body holds a number too large for a double', {
        details: { reason: 'number_out_of_range' },
      });
    }
    // An integer JSON.parse rounds would be judged and recorded as a number the upstream never reads.
    if (body !== null) assertExactIntegers(raw);
    assertNoMethodOverride(method, req.headers, search, body);
    assertAllowedQuery(api, search);
    return { api, method, path, search, raw, body };
  }
}
