// What auditors do with recordings: a session's reasoning tree and outcome path, a verifiable
// export bundle, and verification of the whole ledger. Reading any of them is itself recorded.
import { TARGET_ACTION_TYPES } from '../../core/actions.js';
import type { StoredEvent } from '../../core/events.js';
import type { Store } from '../../core/ports.js';
import { sessionPathJson, sessionTreeJson } from '../../reasoning/index.js';
import type { Route } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';

export interface RecordingRouteDeps {
  readonly store: Store;
  readonly audit: Audit;
  readonly exportBundle: (sessionId: string) => Promise<string>;
  readonly verify: () => Promise<unknown>;
}

const ACTION_TYPES = new Set<string>(TARGET_ACTION_TYPES);

/**
 * Statements and commands the same identity ran on other connections while the session was live:
 * a database connection is a session of its own, yet its statements may come from this reasoning.
 */
async function actionEventsAround(
  store: Store,
  subject: string,
  from: string,
  to: string,
): Promise<StoredEvent[]> {
  const others = await store.listSessions({ identity: subject, since: from, until: to, limit: 200 });
  const events = await Promise.all(others.map((s) => store.readSession(s.id)));
  return events.flat().filter((e) => ACTION_TYPES.has(e.type));
}

export function recordingRoutes(deps: RecordingRouteDeps): Route[] {
  const { store, audit } = deps;
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const events = await store.readSession(session.id);
        const until = new Date(Date.parse(session.lastEventAt) + 60 * 60_000).toISOString();
        const actions = await actionEventsAround(store, session.identity.subject, session.startedAt, until);
        await audit(ctx, { what: 'tree', session: session.id });
        return { status: 200, body: sessionTreeJson(session.id, events, actions) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree\/path$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const events = await store.readSession(session.id);
        await audit(ctx, { what: 'path', session: session.id });
        return { status: 200, body: sessionPathJson(session.id, events, ctx.query.get('node') ?? undefined) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/export$/,
      roles: ['admin', 'auditor'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        await audit(ctx, { what: 'export', session: session.id });
        return { status: 200, body: JSON.parse(await deps.exportBundle(session.id)) as unknown };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/ledger\/verify$/,
      roles: ['admin', 'auditor'],
      async handle(ctx) {
        await audit(ctx, { what: 'verify' });
        return { status: 200, body: await deps.verify() };
      },
    },
  ];
}
