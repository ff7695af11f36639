// Recordings: list, read, and the events of one session. Admins and auditors see every session;
// a user sees only their own, and learns nothing about the others, not even that they exist. A token
// limited to connections sees only their sessions, whoever the caller is.
import { VigilError } from '../../core/errors.js';
import { sameIdentity } from '../../core/events.js';
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
    // The same kind too: the user `deploy` does not read the service account `deploy`'s sessions.
    !(isPrivileged(ctx.caller) || sameIdentity(session.identity, ctx.caller.identity))
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

/** `after_id`: a session id, and only beside `until` (the page after the session `next_until` and `next_after_id` name). */
function afterIdOf(query: URLSearchParams): string | undefined {
  const afterId = query.get('after_id');
  if (afterId === null) return undefined;
  if (query.get('until') === null || !/^[A-Za-z0-9_-]{1,200}$/.test(afterId)) {
    throw new VigilError('usage', 'after_id must be a session id, given with until');
  }
  return afterId;
}

const EVENT_PAGE_LIMIT = 500;
/** Payload bytes after which a page ends (the first event of a page comes whatever its size). */
const EVENT_PAGE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The page of a session's events that `GET /api/sessions/:id/events?after_seq=N&limit=M` asks for
 * (docs/console/sessions.md): after `after_seq` (from the start when absent), at most `limit` events (500 by
 * default and at most), ending early once its payloads reach EVENT_PAGE_MAX_BYTES.
 */
function eventPageQuery(query: URLSearchParams): { afterSeq: number; limit: number } {
  const after = query.get('after_seq');
  const limit = query.get('limit');
  if (after !== null && !/^(?:-1|0|[1-9]\d{0,14})$/.test(after)) {
    throw new VigilError('usage', 'after_seq must be a sequence number (an integer of at least -1)');
  }
  if (limit !== null && !/^[1-9]\d{0,14}$/.test(limit)) {
    throw new VigilError('usage', `limit must be an integer from 1 to ${EVENT_PAGE_LIMIT}`);
  }
  return {
    afterSeq: after === null ? -1 : Number(after),
    limit: limit === null ? EVENT_PAGE_LIMIT : Math.min(Number(limit), EVENT_PAGE_LIMIT),
  };
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
        const privileged = isPrivileged(ctx.caller);
        const filter: SessionFilter = {
          // A user reads their own sessions: their subject and their kind, so the user `deploy`
          // does not list the service account `deploy`'s sessions, nor learn from a short page
          // with a `next_until` that one of them matched a search.
          identity: privileged ? (q.get('identity') ?? undefined) : ctx.caller.identity.subject,
          identityKind: privileged ? undefined : ctx.caller.identity.kind,
          connection: q.get('connection') ?? undefined,
          since: q.get('since') ?? undefined,
          until: q.get('until') ?? undefined,
          afterId: afterIdOf(q),
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
        const last = page.length === filter.limit ? page.at(-1)! : null;
        return {
          status: 200,
          body: { sessions, next_until: last?.startedAt ?? null, next_after_id: last?.id ?? null },
        };
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
        const { afterSeq, limit } = eventPageQuery(ctx.query);
        // One page at a time: until 5 December the whole session was read, payloads and all, on the
        // event loop, so any user could stall every session by reading a long one of their own.
        const page = await store.readSessionPage(session.id, {
          afterSeq,
          limit,
          maxPayloadBytes: EVENT_PAGE_MAX_BYTES,
        });
        await audit(ctx, { what: 'events', session: session.id, after_seq: String(afterSeq) });
        return { status: 200, body: { session, events: page.events, next_after_seq: page.nextAfterSeq } };
      },
    },
    heldActionRoute(store, audit),
  ];
}
