// The admin API (JSON): sessions and their recordings. Every caller is authenticated; reading a
// recording is itself recorded (audit.viewed) in the ledger. Roles: admin and auditor read every
// session, user reads only their own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../core/errors.js';
import { ANONYMOUS, type Identity } from '../core/events.js';
import type { SessionFilter, Store } from '../core/ports.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { extractClientToken } from '../protocols/llm/headers.js';
import { sendApiError, sendJson } from './http-json.js';

export interface AdminApiDeps {
  readonly store: Store;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
}

const SESSION_ROUTE = /^\/api\/sessions\/([A-Za-z0-9_-]+)(\/events)?$/;

export class AdminApi {
  readonly #deps: AdminApiDeps;

  constructor(deps: AdminApiDeps) {
    this.#deps = deps;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    let caller: AuthenticatedIdentity | null = null;
    try {
      caller = await this.#deps.pipeline.authenticate(extractClientToken(req.headers));
      if (req.method !== 'GET')
        throw new VigilError('route_unknown', `no admin route for ${req.method} ${url.pathname}`);
      if (url.pathname === '/api/sessions')
        return sendJson(res, 200, { sessions: await this.#list(caller, url) });
      const m = SESSION_ROUTE.exec(url.pathname);
      if (!m) throw new VigilError('route_unknown', `no admin route for ${req.method} ${url.pathname}`);
      const sessionId = m[1]!;
      const session = await this.#deps.store.getSession(sessionId);
      if (!session || !mayRead(caller, session.identity.subject)) {
        // A user learns nothing about sessions that are not theirs, not even that they exist.
        throw new VigilError('session_unknown', `no session ${sessionId}`);
      }
      if (!m[2]) return sendJson(res, 200, { session });
      const events = await this.#deps.store.readSession(sessionId);
      await this.#audit(caller.identity, { session: sessionId, what: 'events', via: 'api' });
      return sendJson(res, 200, { session, events });
    } catch (err) {
      const error = toVigilError(err);
      if (error.code.startsWith('auth_')) await this.#denied(error, url);
      sendApiError(res, error);
    }
  }

  async #list(caller: AuthenticatedIdentity, url: URL) {
    const q = url.searchParams;
    const limit = Number(q.get('limit') ?? 100);
    const filter: SessionFilter = {
      identity: q.get('identity') ?? undefined,
      connection: q.get('connection') ?? undefined,
      since: q.get('since') ?? undefined,
      until: q.get('until') ?? undefined,
      search: q.get('search') ?? undefined,
      limit: Number.isFinite(limit) ? Math.min(Math.max(1, limit), 1000) : 100,
    };
    const privileged = caller.roles.includes('admin') || caller.roles.includes('auditor');
    const sessions = await this.#deps.store.listSessions(
      privileged ? filter : { ...filter, identity: caller.identity.subject },
    );
    if (filter.search)
      await this.#audit(caller.identity, { what: 'search', search: filter.search, via: 'api' });
    return sessions;
  }

  async #audit(identity: Identity, facts: Record<string, string>): Promise<void> {
    const session = await this.#deps.sessions.open({
      connection: 'admin-api',
      protocol: 'admin',
      identity,
      key: `admin\u0000${identity.subject}`,
    });
    await this.#deps.pipeline.observe(session, 'audit.viewed', facts);
  }

  async #denied(error: VigilError, url: URL): Promise<void> {
    const session = await this.#deps.sessions
      .open({ connection: 'admin-api', protocol: 'admin', identity: ANONYMOUS, key: 'admin\u0000anonymous' })
      .catch(() => null);
    if (session) await this.#deps.pipeline.recordDenial(session, error, { path: url.pathname });
  }
}

function mayRead(caller: AuthenticatedIdentity, owner: string): boolean {
  return (
    caller.roles.includes('admin') || caller.roles.includes('auditor') || caller.identity.subject === owner
  );
}
