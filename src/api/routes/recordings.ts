// What auditors do with recordings: a session's reasoning tree and outcome path, a verifiable
// export bundle, and verification of the whole ledger. Reading any of them is itself recorded.
import type { Store } from '../../core/ports.js';
import { verifyBundle } from '../../ledger/bundle-verify.js';
import { actionEventsAround, sessionPathJson, sessionTreeJson } from '../../reasoning/index.js';
import type { Route } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';

export interface RecordingRouteDeps {
  readonly store: Store;
  readonly audit: Audit;
  readonly exportBundle: (sessionId: string) => Promise<string>;
  readonly verify: () => Promise<unknown>;
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
        const actions = await actionEventsAround(store, session);
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
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/verify$/,
      roles: ['user'],
      async handle(ctx) {
        // The session's chain and its inclusion in the latest signed checkpoint, checked exactly as
        // `vigil verify --bundle` checks the export a reader could download.
        const session = await readableSession(store, ctx, ctx.params[0]!);
        await audit(ctx, { what: 'verify', session: session.id });
        const report = verifyBundle(await deps.exportBundle(session.id));
        return { status: 200, body: report };
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
