// GET /api/approvals/stream: the approvals the caller may see, pushed as server-sent events so the
// console's inbox updates without reloading. The approval service announces nothing itself, so the
// stream reads the store every second (on every replica, which is what makes it work with several)
// and sends the list only when it changed; a comment line every 15 s keeps proxies from closing it.
// The stream ends when the caller's token expires: a browser reconnects, and is authenticated again.
import type { ServerResponse } from 'node:http';
import type { ApprovalRecord, ApprovalStore } from '../../core/ports.js';
import type { Route, RouteContext } from '../admin-route.js';

export interface ApprovalStreamDeps {
  readonly store: ApprovalStore;
  /** Whether the caller may see a request (the same rule GET /api/approvals applies). */
  readonly canSee: (caller: RouteContext['caller'], record: ApprovalRecord) => boolean;
  readonly pollMs?: number;
}

const HEARTBEAT_MS = 15_000;
const LISTED = 200;

export function approvalStreamRoute(deps: ApprovalStreamDeps): Route {
  return {
    method: 'GET',
    pattern: /^\/api\/approvals\/stream$/,
    roles: ['user'],
    async handle(ctx) {
      return { status: 200, body: null, stream: (res) => streamApprovals(deps, ctx, res) };
    },
  };
}

function streamApprovals(deps: ApprovalStreamDeps, ctx: RouteContext, res: ServerResponse): void {
  let last = '';
  let stopped = false;
  const send = async () => {
    const records = await deps.store.listApprovals({ status: 'pending', limit: LISTED });
    const visible = records.filter((r) => deps.canSee(ctx.caller, r));
    const text = JSON.stringify({ approvals: visible });
    if (stopped || text === last) return;
    last = text;
    res.write(`event: approvals\ndata: ${text}\n\n`);
  };
  const tick = () => {
    send().catch(() => {
      // A failed read leaves the client with its last list; the next tick tries again.
    });
  };
  tick();
  const poll = setInterval(tick, deps.pollMs ?? 1000);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const expiresIn = ctx.caller.expiresAt === null ? null : ctx.caller.expiresAt - Date.now();
  const expiry = expiresIn === null ? null : setTimeout(() => res.end(), Math.max(0, expiresIn));
  const stop = () => {
    stopped = true;
    clearInterval(poll);
    clearInterval(heartbeat);
    if (expiry) clearTimeout(expiry);
  };
  res.on('close', stop);
}
