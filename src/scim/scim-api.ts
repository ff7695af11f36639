// The SCIM 2.0 service provider at /scim/v2 (RFC 7644) on the gateway's HTTP listener. Every request
// needs a SCIM bearer token (scim-tokens.ts) that is neither revoked nor expired; every answered
// request is recorded before it is answered (admin.action in the token's SCIM session, or
// access.denied: in that session for a revoked or expired token, anonymously for a wrong one), so
// what a provider changed, and who still tries a dead token, is in `vigil replay`. Errors use SCIM's
// own body and application/scim+json.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../core/errors.js';
import { ANONYMOUS, type Identity, type JsonObject } from '../core/events.js';
import type { AccessStore, ScimGroupRecord, ScimUserRecord } from '../core/ports.js';
import { parseJsonBody } from '../http/json-body.js';
import { readRequestBody } from '../http/read-body.js';
import { matchRoute } from '../http/router.js';
import { hashToken } from '../identity/config-tokens.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { listResponse, project } from './list.js';
import { renderGroup, renderUser } from './resources.js';
import { SCHEMA, SCIM_CONTENT_TYPE } from './scim-schema.js';
import type { ScimService, WriteCause } from './scim-service.js';
import { SCIM_TOKEN_PREFIX, scimTokenRefusal } from './scim-tokens.js';

export const SCIM_BASE_PATH = '/scim/v2';

export interface ScimApiDeps {
  readonly service: ScimService;
  readonly store: AccessStore;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly maxBodyBytes: number;
  /** The public base URL of the gateway, for `meta.location`. */
  readonly publicUrl: () => string;
}

interface Answer {
  readonly status: number;
  readonly body?: JsonObject;
  readonly etag?: string;
  /** The resource the request touched, for the record. */
  readonly scimId?: string;
}

interface Call {
  readonly req: IncomingMessage;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: JsonObject;
  readonly cause: WriteCause;
  readonly base: string;
}

type Handler = (call: Call) => Promise<Answer>;
interface ScimRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly pattern: RegExp;
  readonly handle: Handler;
}

const ID = '([A-Za-z0-9_-]{1,64})';

/** The provider's own id of the request, for correlating the ledger with its logs; kept only when plain. */
function providerRequestId(req: IncomingMessage): string | null {
  for (const name of ['client-request-id', 'x-request-id', 'x-okta-request-id', 'request-id']) {
    const v = req.headers[name];
    if (typeof v === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(v)) return v;
  }
  return null;
}

export class ScimApi {
  readonly #deps: ScimApiDeps;
  readonly #routes: ScimRoute[];

  constructor(deps: ScimApiDeps) {
    this.#deps = deps;
    this.#routes = this.#buildRoutes();
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let caller: Identity | null = null;
    // A known token refused (revoked, expired): its refusal is recorded under the connector it names.
    let refusedAs: Identity | null = null;
    let answer: Answer | VigilError;
    try {
      const presented = await this.#authenticate(req);
      if (presented.refusal) {
        refusedAs = presented.identity;
        throw presented.refusal;
      }
      caller = presented.identity;
      const found = matchRoute(this.#routes, method, path.slice(SCIM_BASE_PATH.length) || '/');
      if (found === null) throw new VigilError('route_unknown', `no SCIM endpoint at ${path}`);
      if (found === 'method') throw new VigilError('route_unknown', `${method} is not supported on ${path}`);
      const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
      const body = hasBody ? await this.#readBody(req) : {};
      if (!hasBody) req.resume();
      const cause: WriteCause = { method, path, requestId: providerRequestId(req), by: caller };
      const base = `${this.#deps.publicUrl()}${SCIM_BASE_PATH}`;
      answer = await found.route.handle({
        req,
        params: found.params,
        query: url.searchParams,
        body,
        cause,
        base,
      });
    } catch (err) {
      req.resume();
      answer = toVigilError(err);
    }
    const status = answer.status;
    const facts: JsonObject = {
      via: 'scim',
      method,
      path,
      status,
      request_id: providerRequestId(req),
      ...(answer instanceof VigilError
        ? { code: answer.code, ...(scimTypeOf(answer) ? { scim_type: scimTypeOf(answer)! } : {}) }
        : answer.scimId
          ? { scim_id: answer.scimId }
          : {}),
    };
    const recorded = await this.#record(
      caller ?? refusedAs ?? ANONYMOUS,
      caller ? 'admin.action' : 'access.denied',
      caller ? facts : { ...facts, message: (answer as VigilError).message },
    );
    if (!recorded && caller)
      answer = new VigilError(
        'record_failed',
        'the SCIM call could not be recorded, so its result is withheld',
      );
    send(res, answer);
  }

  /** The token's identity, with the reason it may not act when it is revoked or expired. */
  async #authenticate(req: IncomingMessage): Promise<{ identity: Identity; refusal: VigilError | null }> {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw new VigilError('auth_missing', 'a SCIM bearer token is required');
    const token = m[1]!;
    if (!token.startsWith(SCIM_TOKEN_PREFIX))
      throw new VigilError('auth_invalid', 'the bearer token is not a SCIM token');
    const presented = Buffer.from(hashToken(token), 'hex');
    const record = await this.#deps.store.findScimToken(presented.toString('hex'));
    // The lookup is by hash, so it says nothing about the token's characters; the final comparison is
    // constant-time all the same.
    if (!record || !timingSafeEqual(Buffer.from(record.tokenHash, 'hex'), presented))
      throw new VigilError('auth_invalid', 'the bearer token is not a valid SCIM token');
    const identity: Identity = {
      subject: `scim:${record.name}`,
      kind: 'service',
      groups: [],
      tokenId: record.id,
    };
    // Read from the store on every request, never cached: a revocation by any replica or the CLI
    // refuses the token's next use here.
    return { identity, refusal: scimTokenRefusal(record, Date.now()) };
  }

  async #readBody(req: IncomingMessage): Promise<JsonObject> {
    const raw = await readRequestBody(req, this.#deps.maxBodyBytes);
    let parsed: unknown;
    try {
      parsed = parseJsonBody(raw);
    } catch (err) {
      const e = toVigilError(err);
      throw new VigilError(e.code, e.message, { details: { scimType: 'invalidSyntax' } });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new VigilError('scim_invalid', 'the request body must be a JSON object', {
        details: { scimType: 'invalidSyntax' },
      });
    return parsed as JsonObject;
  }

  async #record(
    identity: Identity,
    type: 'admin.action' | 'access.denied',
    facts: JsonObject,
  ): Promise<boolean> {
    try {
      const session = await this.#deps.sessions.open({
        connection: 'scim',
        protocol: 'admin',
        identity,
        key: `scim\u0000${identity.subject}`,
      });
      await this.#deps.pipeline.observe(session, type, facts);
      return true;
    } catch {
      return false;
    }
  }

  async #renderUsers(base: string): Promise<{ users: ScimUserRecord[]; rendered: JsonObject[] }> {
    const [users, groups] = await Promise.all([this.#deps.service.users(), this.#deps.service.groups()]);
    const rendered = users.map((u) =>
      renderUser(
        u,
        groups.filter((g) => g.members.includes(u.id)),
        base,
      ),
    );
    return { users, rendered };
  }

  async #renderUser(record: ScimUserRecord, base: string): Promise<JsonObject> {
    const groups = (await this.#deps.service.groups()).filter((g) => g.members.includes(record.id));
    return renderUser(record, groups, base);
  }

  async #renderGroup(record: ScimGroupRecord, base: string): Promise<JsonObject> {
    const names = new Map((await this.#deps.service.users()).map((u) => [u.id, u.userName]));
    return renderGroup(record, names, base);
  }

  #buildRoutes(): ScimRoute[] {
    const s = this.#deps.service;
    const user = async (r: ScimUserRecord, call: Call, status = 200): Promise<Answer> => ({
      status,
      body: project(await this.#renderUser(r, call.base), call.query),
      etag: `W/"${r.version}"`,
      scimId: r.id,
    });
    const group = async (r: ScimGroupRecord, call: Call, status = 200): Promise<Answer> => ({
      status,
      body: project(await this.#renderGroup(r, call.base), call.query),
      etag: `W/"${r.version}"`,
      scimId: r.id,
    });
    const listOf = (items: JsonObject[]) => (c: Call) => ({
      status: 200,
      body: listResponse(items, c.query),
    });
    const one = (items: JsonObject[], id: string) => {
      const found = items.find((i) => i.id === id);
      if (!found) throw new VigilError('scim_not_found', `no such entry: ${id}`);
      return { status: 200, body: found };
    };
    return [
      {
        method: 'GET',
        pattern: /^\/ServiceProviderConfigs?$/,
        handle: async (c) => ({ status: 200, body: serviceProviderConfig(c.base) }),
      },
      { method: 'GET', pattern: /^\/Schemas$/, handle: async (c) => listOf(schemas(c.base))(c) },
      {
        method: 'GET',
        pattern: /^\/Schemas\/([^/]+)$/,
        handle: async (c) => one(schemas(c.base), c.params[0]!),
      },
      { method: 'GET', pattern: /^\/ResourceTypes$/, handle: async (c) => listOf(resourceTypes(c.base))(c) },
      {
        method: 'GET',
        pattern: /^\/ResourceTypes\/([^/]+)$/,
        handle: async (c) => one(resourceTypes(c.base), c.params[0]!),
      },
      {
        method: 'GET',
        pattern: /^\/Users$/,
        handle: async (c) => listOf((await this.#renderUsers(c.base)).rendered)(c),
      },
      {
        method: 'POST',
        pattern: /^\/Users$/,
        handle: async (c) => user(await s.createUser(c.body, c.cause), c, 201),
      },
      {
        method: 'GET',
        pattern: new RegExp(`^/Users/${ID}$`),
        handle: async (c) => user(await s.user(c.params[0]!), c),
      },
      {
        method: 'PUT',
        pattern: new RegExp(`^/Users/${ID}$`),
        handle: async (c) => user(await s.replaceUser(c.params[0]!, c.body, c.cause), c),
      },
      {
        method: 'PATCH',
        pattern: new RegExp(`^/Users/${ID}$`),
        handle: async (c) => user(await s.patchUser(c.params[0]!, c.body, c.cause), c),
      },
      {
        method: 'DELETE',
        pattern: new RegExp(`^/Users/${ID}$`),
        handle: async (c) => {
          await s.deleteUser(c.params[0]!, c.cause);
          return { status: 204, scimId: c.params[0]! };
        },
      },
      {
        method: 'GET',
        pattern: /^\/Groups$/,
        handle: async (c) => {
          const names = new Map((await s.users()).map((u) => [u.id, u.userName]));
          return listOf((await s.groups()).map((g) => renderGroup(g, names, c.base)))(c);
        },
      },
      {
        method: 'POST',
        pattern: /^\/Groups$/,
        handle: async (c) => group(await s.createGroup(c.body, c.cause), c, 201),
      },
      {
        method: 'GET',
        pattern: new RegExp(`^/Groups/${ID}$`),
        handle: async (c) => group(await s.group(c.params[0]!), c),
      },
      {
        method: 'PUT',
        pattern: new RegExp(`^/Groups/${ID}$`),
        handle: async (c) => group(await s.replaceGroup(c.params[0]!, c.body, c.cause), c),
      },
      {
        method: 'PATCH',
        pattern: new RegExp(`^/Groups/${ID}$`),
        handle: async (c) => group(await s.patchGroup(c.params[0]!, c.body, c.cause), c),
      },
      {
        method: 'DELETE',
        pattern: new RegExp(`^/Groups/${ID}$`),
        handle: async (c) => {
          await s.deleteGroup(c.params[0]!, c.cause);
          return { status: 204, scimId: c.params[0]! };
        },
      },
    ];
  }
}

function scimTypeOf(err: VigilError): string | null {
  // The store raises scim_conflict without SCIM's vocabulary; RFC 7644 calls it uniqueness.
  if (err.code === 'scim_conflict') return 'uniqueness';
  const t = err.details?.scimType;
  return typeof t === 'string' ? t : null;
}

function send(res: ServerResponse, answer: Answer | VigilError): void {
  if (answer instanceof VigilError) {
    const scimType = scimTypeOf(answer);
    const body = {
      schemas: [SCHEMA.error],
      status: String(answer.status),
      ...(scimType ? { scimType } : {}),
      detail: answer.message,
    };
    const text = JSON.stringify(body);
    res.writeHead(answer.status, {
      'content-type': SCIM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-vigil-error': answer.code,
      ...(answer.status === 401 ? { 'www-authenticate': 'Bearer realm="vigil-scim"' } : {}),
    });
    res.end(text);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status);
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': SCIM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    ...(answer.etag ? { etag: answer.etag } : {}),
    ...(answer.status === 201 && typeof (answer.body.meta as JsonObject | undefined)?.location === 'string'
      ? { location: (answer.body.meta as JsonObject).location as string }
      : {}),
  });
  res.end(text);
}
