// Recordings: list, read, and the events of one session. Admins and auditors see every session;
// a user sees only their own, and learns nothing about the others, not even that they exist. A token
// limited to connections sees only their sessions, whoever the caller is.
import { VigilError } from '../../core/errors.js';
import type { SessionFilter, Store } from '../../core/ports.js';
import type { Route, RouteContext } from '../admin-route.js';
import { inScope, isPrivileged } from '../admin-route.js';
import { heldActionRoute } from './held-action.js';

export type Audit = (ctx: RouteContext, facts: Record<string, string>) => Promise<void>;

export async function readableSession(store: Store, ctx: RouteContext, id: string) {
  const session = await store.getSession(id);
  if (
    !session ||
    !inScope(ctx.caller, session.connection) ||
    !(isPrivileged(ctx.caller) || session.identity.subject === ctx.caller.identity.subject)
  ) {
    throw new VigilError('session_unknown', `no session ${id}`);
  }
  return session;
}

/**
 * The store's page, asked per connection for a token limited to connections: narrowing a mixed page
 * afterwards would still tell, by `next_until`, that sessions it may not read matched a search.
 */
async function listInScope(store: Store, ctx: RouteContext, filter: SessionFilter) {
  const { scope } = ctx.caller;
  if (scope === null) return store.listSessions(filter);
  const connections = filter.connection === undefined ? scope : scope.filter((c) => c === filter.connection);
  const pages = await Promise.all(
    connections.map((connection) => store.listSessions({ ...filter, connection })),
  );
  // The store's order: newest first, then by id.
  return pages
    .flat()
    .sort((a, b) =>
      a.startedAt === b.startedAt ? (a.id < b.id ? -1 : 1) : a.startedAt < b.startedAt ? 1 : -1,
    )
    .slice(0, filter.limit);
}

export function sessionRoutes(store: Store, audit: Audit): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions$/,
      roles: ['user'],
      async handle(ctx) {
        const q = ctx.query;
        const limit = Number(q.get('limit') ?? 100);
        const filter: SessionFilter = {
          identity: isPrivileged(ctx.caller) ? (q.get('identity') ?? undefined) : ctx.caller.identity.subject,
          connection: q.get('connection') ?? undefined,
          since: q.get('since') ?? undefined,
          until: q.get('until') ?? undefined,
          search: q.get('search') ?? undefined,
          limit: Number.isFinite(limit) ? Math.min(Math.max(1, limit), 1000) : 100,
        };
        const page = await listInScope(store, ctx, filter);
        if (filter.search) await audit(ctx, { what: 'search', search: filter.search });
        // protocol and state narrow the page the store returned (the store filters neither), so a
        // page may hold fewer than `limit`; `next_until` continues after the last session read.
        const protocol = q.get('protocol');
        const state = q.get('state');
        const sessions = page.filter(
          (s) =>
            (!protocol || s.protocol === protocol) &&
            (state !== 'live' || s.endedAt === null) &&
            (state !== 'ended' || s.endedAt !== null),
        );
        const full = page.length === filter.limit;
        return { status: 200, body: { sessions, next_until: full ? page.at(-1)!.startedAt : null } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)$/,
      roles: ['user'],
      async handle(ctx) {
        return { status: 200, body: { session: await readableSession(store, ctx, ctx.params[0]!) } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/events$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const events = await store.readSession(session.id);
        await audit(ctx, { what: 'events', session: session.id });
        return { status: 200, body: { session, events } };
      },
    },
    heldActionRoute(store, audit),
  ];
}
