// What auditors do with recordings: a session's reasoning tree and outcome path, a verifiable
// export bundle, and verification of the whole ledger. Reading any of them is itself recorded.
import type { SessionSummary } from '../../core/events.js';
import type { Store } from '../../core/ports.js';
import { verifyBundle } from '../../ledger/bundle-verify.js';
import { actionEventsAround, sessionPathJson, sessionTreeJson, TREE_EVENTS } from '../../reasoning/index.js';
import type { Route } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';
import { TreeCache } from './tree-cache.js';
import { treeNode, treeOutline } from './tree-outline.js';

export interface RecordingRouteDeps {
  readonly store: Store;
  readonly audit: Audit;
  readonly exportBundle: (sessionId: string) => Promise<string>;
  readonly verify: () => Promise<unknown>;
}

export function recordingRoutes(deps: RecordingRouteDeps): Route[] {
  const { store, audit } = deps;
  const trees = new TreeCache();
  const treeOf = (session: SessionSummary) =>
    trees.get(session, async () =>
      sessionTreeJson(
        session.id,
        // Only what the tree reads (TREE_EVENTS): a cold 10,000-call tree is mostly this read.
        await store.readSessionContent(session.id, TREE_EVENTS),
        await actionEventsAround(store, session),
      ),
    );
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const json = await treeOf(session);
        const outline = ctx.query.get('outline') === '1';
        await audit(ctx, { what: outline ? 'tree-outline' : 'tree', session: session.id });
        return { status: 200, body: outline ? treeOutline(json) : json };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree\/nodes\/([A-Za-z0-9_:.%-]+)$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const body = treeNode(await treeOf(session), ctx.params[1]!);
        await audit(ctx, { what: 'tree-node', session: session.id, node: ctx.params[1]! });
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree\/path$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const events = await store.readSessionContent(session.id, TREE_EVENTS);
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
