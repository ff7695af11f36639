// What auditors do with recordings: a session's reasoning tree and outcome path, a verifiable
// export bundle, and verification of the whole ledger. Reading any of them is itself recorded.
import type { Store } from '../../core/ports.js';
import { JsonText } from '../../http/json-response.js';
import { type BundleWork, bundleWorkOffThread } from '../../ledger/bundle-off-thread.js';
import type { ActionLink } from '../../reasoning/index.js';
import { inScope, type Route, type RouteContext } from '../admin-route.js';
import { type Audit, readableSession } from './sessions.js';
import type { TreeReader } from './tree-reader.js';

export interface RecordingRouteDeps {
  readonly store: Store;
  readonly audit: Audit;
  /** Builds and keeps the reasoning trees (in a worker thread in the gateway). */
  readonly trees: TreeReader;
  /** `limits.maxPayloadChars`: past it the bundle is refused with `bundle_too_large` (bundle.ts). */
  readonly exportBundle: (sessionId: string, limits?: { maxPayloadChars: number }) => Promise<string>;
  readonly verify: () => Promise<unknown>;
  /** Checks and re-spells bundles; by default in a worker thread, one at a time. */
  readonly bundles?: BundleWork;
}

/**
 * The most payload text one /export or /verify makes the gateway hold and bundle; a larger session
 * is the CLI's (`vigil export`, `vigil verify --session`). Reading, encoding and checking are done
 * in pieces or off the event loop, but the bundle is held whole, copied to the worker and back, and
 * written in one piece: each a flat copy, fast, yet in proportion to the size, as is the memory.
 */
export const MAX_BUNDLE_PAYLOAD_CHARS = 8 * 1024 * 1024;
const LIMITS = { maxPayloadChars: MAX_BUNDLE_PAYLOAD_CHARS };

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
  const bundles = deps.bundles ?? bundleWorkOffThread();
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
        const text = await deps.exportBundle(session.id, LIMITS);
        return { status: 200, body: new JsonText(await bundles.json(text)) };
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
        const report = await bundles.verify(await deps.exportBundle(session.id, LIMITS));
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
