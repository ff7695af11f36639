// GET /api/approvals/stream: the approvals the caller may see, pushed as server-sent events so the
// console's inbox updates without reloading. The stream reads the store at once when the store tells
// of a change to approvals (PostgreSQL's NOTIFY, whichever replica or CLI made it), and every second
// regardless (the fallback, and all there is on SQLite), and sends the list only when it changed; a
// comment line every 15 s keeps proxies from closing it.
// Before each read the caller's credential is authenticated again: the stream ends once the token
// is revoked or expires or its identity is disabled, and what it shows follows the caller's groups
// as they are now (SCIM may have taken one away). A browser reconnects, and is authenticated again.
import type { ServerResponse } from 'node:http';
import type { ApprovalRecord, ApprovalStore, ChangeFeed } from '../../core/ports.js';
import type { AuthenticatedIdentity } from '../../identity/authenticator.js';
import type { Route, RouteContext } from '../admin-route.js';
import { visibleApprovals } from './approval-list.js';

export interface ApprovalStreamDeps {
  readonly store: ApprovalStore;
  /** Whether the caller may see a request (the same rule GET /api/approvals applies). */
  readonly canSee: (caller: RouteContext['caller'], record: ApprovalRecord) => boolean;
  readonly pollMs?: number;
  /** Where the store tells of changes made anywhere (none: polling only). */
  readonly changes?: ChangeFeed;
}

const HEARTBEAT_MS = 15_000;
/** Per kind of request (approval-list.ts). */
const LISTED = 200;

export function approvalStreamRoute(deps: ApprovalStreamDeps): Route {
  return {
    method: 'GET',
    pattern: /^\/api\/approvals\/stream$/,
    roles: ['user'],
    async handle(ctx) {
      return { status: 200, body: null, stream: (res, caller) => streamApprovals(deps, ctx, res, caller) };
    },
  };
}

function streamApprovals(
  deps: ApprovalStreamDeps,
  ctx: RouteContext,
  res: ServerResponse,
  current: () => Promise<AuthenticatedIdentity>,
): void {
  let last = '';
  let stopped = false;
  const send = async () => {
    let caller: AuthenticatedIdentity;
    try {
      caller = await current();
    } catch {
      // Revoked, expired or disabled since the stream opened: it shows nothing more.
      stop();
      res.end();
      return;
    }
    const listed = await visibleApprovals(deps.store, caller, deps.canSee, {
      status: 'pending',
      limit: LISTED,
    });
    if (stopped) return;
    const text = JSON.stringify(listed);
    if (stopped || text === last) return;
    last = text;
    res.write(`event: approvals\ndata: ${text}\n\n`);
  };
  const tick = () => {
    send().catch(() => {
      // A failed read leaves the client with its last list; the next tick tries again.
    });
  };
  const poll = setInterval(tick, deps.pollMs ?? 1000);
  const unsubscribe = deps.changes?.subscribe((topic) => {
    if (topic === 'approvals') tick();
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const expiresIn = ctx.caller.expiresAt === null ? null : ctx.caller.expiresAt - Date.now();
  const expiry = expiresIn === null ? null : setTimeout(() => res.end(), Math.max(0, expiresIn));
  function stop() {
    if (stopped) return;
    stopped = true;
    unsubscribe?.();
    clearInterval(poll);
    clearInterval(heartbeat);
    if (expiry) clearTimeout(expiry);
  }
  res.on('close', stop);
  tick();
}
