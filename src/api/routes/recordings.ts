// What auditors do with recordings: a session's reasoning tree and outcome path, a verifiable
// export bundle, and verification of the whole ledger. Reading any of them is itself recorded.
import type { Store } from '../../core/ports.js';
import { JsonText } from '../../http/json-response.js';
import { verifyBundle } from '../../ledger/bundle-verify.js';
import type { ActionLink } from '../../reasoning/index.js';
import { inScope, type Route, type RouteContext } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';
import type { TreeReader } from './tree-reader.js';

export interface RecordingRouteDeps {
  readonly store: Store;
  readonly audit: Audit;
  /** Builds and keeps the reasoning trees (in a worker thread in the gateway). */
  readonly trees: TreeReader;
  readonly exportBundle: (sessionId: string) => Promise<string>;
  readonly verify: () => Promise<unknown>;
}

/**
 * A tree links the actions its identity ran on every connection while it reasoned (a statement on
 * the database a model turn proposed). A token limited to connections reads only those its scope
 * reaches: the same service account's token for another connection ran the others.
 */
async function actionsInScope(store: Store, ctx: RouteContext, body: JsonText): Promise<JsonText> {
  if (ctx.caller.scope === null) return body;
  const json = JSON.parse(body.text) as { actions?: ActionLink[] };
  if (!json.actions?.length) return body;
  const readable = new Set<string>();
  for (const id of new Set(json.actions.map((a) => a.actionSessionId))) {
    const session = await store.getSession(id);
    if (session && inScope(ctx.caller, session.connection)) readable.add(id);
  }
  const actions = json.actions.filter((a) => readable.has(a.actionSessionId));
  return actions.length === json.actions.length ? body : new JsonText(JSON.stringify({ ...json, actions }));
}

export function recordingRoutes(deps: RecordingRouteDeps): Route[] {
  const { store, audit, trees } = deps;
  return [
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const outline = ctx.query.get('outline') === '1';
        const body = await actionsInScope(
          store,
          ctx,
          await (outline ? trees.outline(session) : trees.full(session)),
        );
        await audit(ctx, { what: outline ? 'tree-outline' : 'tree', session: session.id });
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/tree\/nodes\/([A-Za-z0-9_:.%-]+)$/,
      roles: ['user'],
      async handle(ctx) {
        const session = await readableSession(store, ctx, ctx.params[0]!);
        const body = await actionsInScope(store, ctx, await trees.node(session, ctx.params[1]!));
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
        const body = await trees.path(session, ctx.query.get('node') ?? undefined);
        await audit(ctx, { what: 'path', session: session.id });
        return { status: 200, body };
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
