// The admin API (JSON). Every call is authenticated, checked against the route's roles and recorded
// in the ledger as admin.action (refusals, anonymous or not, as access.denied), like any other event.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../core/errors.js';
import { ANONYMOUS, type Identity, type JsonObject } from '../core/events.js';
import { readJsonObject } from '../http/json-body.js';
import { sendJson, sendJsonError } from '../http/json-response.js';
import { matchRoute } from '../http/router.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { hasRole, type Route, type RouteContext, type RouteResult } from './admin-route.js';
import { assertConsoleOrigin, requestCredential } from './console-cookie.js';
import { isSecureUrl } from './console-session.js';
import { assertNulFree } from './nul-free.js';

export interface AdminApiDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly routes: (audit: (ctx: RouteContext, facts: Record<string, string>) => Promise<void>) => Route[];
  /** The gateway's public URL: on https only the `__Host-` console cookie is read (console-cookie.ts). */
  readonly publicUrl: () => string;
}

const MAX_API_BODY = 64 * 1024;

/**
 * On every answer. `no-store`: what the API answers is recorded content and who may read it, and a
 * browser kept it in its HTTP cache, where it outlived signing out of the console (the next person
 * at a shared browser read a session's prompts back with `fetch(url, {cache: 'only-if-cached'})`).
 * `nosniff`: recorded text in a JSON answer is never taken for a page or a script.
 */
const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/**
 * An authenticated caller refused what they tried (a role they lack, a request they may not decide,
 * a forged cross-site call): recorded as access.denied with its code, like refusals on connections
 * and at sign-in, so a search for refused access finds it. Other errors stay admin.action.
 */
function isRefusal(error: VigilError): boolean {
  return error.status === 401 || error.status === 403;
}

export class AdminApi {
  readonly #deps: AdminApiDeps;
  readonly #routes: Route[];

  constructor(deps: AdminApiDeps) {
    this.#deps = deps;
    this.#routes = deps.routes(async (ctx, facts) => {
      if (!(await this.#record(ctx.caller.identity, 'audit.viewed', { ...facts, via: 'api' }))) {
        throw new VigilError('record_failed', 'reading a recording must be recorded, and that failed');
      }
    });
  }

  /** Every route, for documentation and the authorization matrix test. */
  get routes(): readonly Route[] {
    return this.#routes;
  }

  /**
   * Every call is recorded before it is answered, so no caller holds the result of an unrecorded
   * admin call; when the record cannot be written the answer is record_failed instead (fail-closed).
   */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    let caller: AuthenticatedIdentity | null = null;
    let token: string | null = null;
    let answer: RouteResult | VigilError;
    try {
      // The web console's cookie stands in for the Bearer header (src/api/console-cookie.ts).
      const credential = requestCredential(req.headers, isSecureUrl(this.#deps.publicUrl()));
      token = credential.token;
      caller = await this.#deps.pipeline.authenticate(token);
      assertConsoleOrigin(method, req.headers, credential.viaCookie);
      const found = matchRoute(this.#routes, method, url.pathname);
      if (found === null)
        throw new VigilError('route_unknown', `no admin route for ${method} ${url.pathname}`);
      if (found === 'method')
        throw new VigilError('route_unknown', `${method} is not supported on ${url.pathname}`);
      if (!hasRole(caller, found.route.roles)) {
        throw new VigilError(
          'forbidden_role',
          `${method} ${url.pathname} needs the role ${found.route.roles.join(' or ')}`,
        );
      }
      const body = method === 'POST' ? await readJsonObject(req, MAX_API_BODY) : {};
      assertNulFree('the path', found.params);
      assertNulFree('the query', [...url.searchParams]);
      assertNulFree('the body', body);
      const { masker } = this.#deps.pipeline;
      answer = await found.route.handle({
        caller,
        params: found.params,
        query: url.searchParams,
        body,
        req,
        // No connection names '' : the global rules and every secret the gateway holds apply.
        maskText: (text) => masker.maskText(text, ''),
      });
    } catch (err) {
      answer = toVigilError(err);
    }
    const status = answer instanceof VigilError ? answer.status : answer.status;
    const recorded = caller
      ? answer instanceof VigilError && isRefusal(answer)
        ? await this.#record(caller.identity, 'access.denied', {
            code: answer.code,
            message: answer.message,
            method,
            path: url.pathname,
            status,
          })
        : await this.#record(caller.identity, 'admin.action', {
            method,
            path: url.pathname,
            status,
            ...(answer instanceof VigilError ? { code: answer.code } : {}),
          })
      : answer instanceof VigilError
        ? await this.#record(ANONYMOUS, 'access.denied', {
            code: answer.code,
            message: answer.message,
            method,
            path: url.pathname,
          })
        : false;
    if (!recorded && caller) {
      answer = new VigilError('record_failed', 'the call could not be recorded, so its result is withheld');
    }
    if (answer instanceof VigilError) sendJsonError(res, answer, undefined, NO_STORE);
    else if (answer.stream) {
      res.writeHead(answer.status, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      answer.stream(res, () => this.#deps.pipeline.authenticate(token));
    } else sendJson(res, answer.status, answer.body, NO_STORE);
  }

  async #record(
    identity: Identity,
    type: 'admin.action' | 'audit.viewed' | 'access.denied',
    facts: JsonObject,
  ): Promise<boolean> {
    try {
      const session = await this.#deps.sessions.open({
        connection: 'admin-api',
        protocol: 'admin',
        identity,
        // Kind and subject: the user `deploy` and the service account `deploy` are two holders.
        key: `admin\u0000${identity.kind}\u0000${identity.subject}`,
      });
      // In fail-open mode a failed record resolves (null): the operator chose to serve anyway.
      await this.#deps.pipeline.observe(session, type, facts);
      return true;
    } catch {
      // Fail-closed: the pipeline has logged the failure; the caller withholds the answer.
      return false;
    }
  }
}
