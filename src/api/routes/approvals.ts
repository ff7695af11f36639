// Approvals, access requests, grants and break-glass. Any signed-in identity may call these routes;
// what each caller may see or decide is judged per request: reviewers see what they may decide,
// requesters see their own requests, admins and auditors see everything. A token limited to
// connections (a service account's) sees, asks for and decides only what concerns them.
import { parseDuration } from '../../core/duration.js';
import { VigilError } from '../../core/errors.js';
import { type Identity, sameIdentity } from '../../core/events.js';
import {
  APPROVAL_KINDS,
  APPROVAL_STATUSES,
  type ApprovalKind,
  type ApprovalRecord,
  type ApprovalStatus,
  type ApprovalStore,
  type ChangeFeed,
  type GrantRecord,
} from '../../core/ports.js';
import { hasVisibleText } from '../../core/visible-text.js';
import { type AccessRules, matchesPrincipal } from '../../pipeline/authorize.js';
import type { ApprovalService } from '../../policy/approval-service.js';
import { inScope, isPrivileged, type Route, type RouteContext } from '../admin-route.js';
import { visibleApprovals } from './approval-list.js';
import { approvalStreamRoute } from './approval-stream.js';

export interface ApprovalRouteDeps {
  readonly approvals: ApprovalService;
  readonly store: ApprovalStore;
  readonly connections: () => readonly AccessRules[];
  /** Applies a grant change on this gateway at once (cuts sessions) instead of at the next poll. */
  readonly applyNow: () => Promise<void>;
  /** Changes to approvals made anywhere, for the inbox stream (none: it polls). */
  readonly changes?: ChangeFeed;
}

export function canSee(caller: RouteContext['caller'], record: ApprovalRecord): boolean {
  return maySeeRequest(caller, {
    connection: record.connection,
    requester: record.requester,
    approvers: record.approvers,
  });
}

/** Who may see a request: the same rule whether it is read from the approval store or the ledger. */
export function maySeeRequest(
  caller: RouteContext['caller'],
  request: {
    readonly connection: string;
    /** The requester's subject and kind: the user `deploy` is not the service account `deploy`. */
    readonly requester: Pick<Identity, 'subject' | 'kind'>;
    readonly approvers: readonly string[];
  },
): boolean {
  return (
    inScope(caller, request.connection) &&
    (isPrivileged(caller) ||
      sameIdentity(request.requester, caller.identity) ||
      request.approvers.some((p) => matchesPrincipal(p, caller.identity)))
  );
}

/**
 * The reason of a decision, access request or break-glass: it must say something a reviewer can
 * read. Whitespace, controls and invisible characters alone (a zero-width space) are no reason.
 */
function reasonOf(ctx: RouteContext, what: string): string {
  const reason = typeof ctx.body.reason === 'string' ? ctx.body.reason : '';
  if (!hasVisibleText(reason))
    throw new VigilError('reason_required', `${what} needs a reason with visible text (--reason)`);
  return reason;
}

function durationOf(ctx: RouteContext, fallback: string): number {
  const raw = ctx.body.duration;
  const ms = parseDuration(typeof raw === 'string' || typeof raw === 'number' ? raw : fallback);
  if (ms === null || ms <= 0) throw new VigilError('usage', '"duration" must be a duration such as 2h');
  return ms;
}

/** The connection asked for, which must exist and must not deny the caller outright. */
function connectionFor(deps: ApprovalRouteDeps, ctx: RouteContext): AccessRules {
  const name = ctx.body.connection;
  if (typeof name !== 'string' || name === '') throw new VigilError('usage', '"connection" is required');
  const rules = deps.connections().find((c) => c.name === name);
  if (!rules) throw new VigilError('connection_unknown', `no connection named ${name}`);
  if (!inScope(ctx.caller, name)) {
    throw new VigilError('forbidden_connection', `this token is not valid for connection ${name}`, {
      details: { connection: name },
    });
  }
  const identity: Identity = ctx.caller.identity;
  const denied = rules.deny.find((p) => matchesPrincipal(p, identity));
  if (denied) {
    throw new VigilError('forbidden_connection', `${identity.subject} is denied on connection ${name}`, {
      details: { connection: name, rule: `deny ${denied}` },
    });
  }
  if (rules.requires_grant && !rules.allow.some((p) => matchesPrincipal(p, identity))) {
    throw new VigilError('forbidden_connection', `${identity.subject} may not ask for access to ${name}`, {
      details: { connection: name },
    });
  }
  return rules;
}

export function approvalRoutes(deps: ApprovalRouteDeps): Route[] {
  const shown = async (id: string, ctx: RouteContext): Promise<ApprovalRecord> => {
    const record = await deps.approvals.get(id);
    // Someone who may not see a request learns nothing about it, not even that it exists.
    if (!record || !canSee(ctx.caller, record))
      throw new VigilError('approval_unknown', `no approval request ${id}`);
    return record;
  };
  const decide = (decision: 'approve' | 'deny'): Route => ({
    method: 'POST',
    pattern: new RegExp(`^/api/approvals/([A-Za-z0-9_-]+)/${decision}$`),
    roles: ['user'],
    async handle(ctx) {
      const id = ctx.params[0]!;
      await shown(id, ctx);
      const reason = reasonOf(ctx, 'a decision');
      const record = await deps.approvals.decide(id, ctx.caller.identity, decision, reason);
      await deps.applyNow();
      return { status: 200, body: { approval: record } };
    },
  });
  return [
    // Before /api/approvals/:id, which would take `stream` for an id.
    approvalStreamRoute({ store: deps.store, canSee, ...(deps.changes ? { changes: deps.changes } : {}) }),
    {
      method: 'GET',
      pattern: /^\/api\/approvals$/,
      roles: ['user'],
      async handle(ctx) {
        const status = ctx.query.get('status') ?? 'pending';
        const kind = ctx.query.get('kind');
        if (status !== 'all' && !(APPROVAL_STATUSES as readonly string[]).includes(status))
          throw new VigilError('usage', `status must be all or one of ${APPROVAL_STATUSES.join(', ')}`);
        if (kind !== null && !(APPROVAL_KINDS as readonly string[]).includes(kind))
          throw new VigilError('usage', `kind must be one of ${APPROVAL_KINDS.join(', ')}`);
        const limit = Math.min(1000, Math.max(1, Number(ctx.query.get('limit') ?? 200) || 200));
        const listed = await visibleApprovals(deps.store, ctx.caller, canSee, {
          ...(status === 'all' ? {} : { status: status as ApprovalStatus }),
          ...(kind ? { kind: kind as ApprovalKind } : {}),
          limit,
        });
        return { status: 200, body: listed };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/approvals\/([A-Za-z0-9_-]+)$/,
      roles: ['user'],
      async handle(ctx) {
        return { status: 200, body: { approval: await shown(ctx.params[0]!, ctx) } };
      },
    },
    decide('approve'),
    decide('deny'),
    {
      method: 'POST',
      pattern: /^\/api\/access-requests$/,
      roles: ['user'],
      async handle(ctx) {
        const rules = connectionFor(deps, ctx);
        const reason = reasonOf(ctx, 'an access request');
        const record = await deps.approvals.requestAccess({
          identity: ctx.caller.identity,
          connection: rules.name,
          durationMs: durationOf(ctx, '1h'),
          reason,
        });
        return { status: 201, body: { approval: record } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/break-glass$/,
      roles: ['user'],
      async handle(ctx) {
        const rules = connectionFor(deps, ctx);
        const reason = reasonOf(ctx, 'break-glass access');
        const { grant, review } = await deps.approvals.breakGlass({
          identity: ctx.caller.identity,
          connection: rules.name,
          durationMs: durationOf(ctx, '1h'),
          reason,
        });
        return { status: 201, body: { grant, review } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/grants$/,
      roles: ['user'],
      async handle(ctx) {
        const all = ctx.query.get('all') === '1' || ctx.query.get('all') === 'true';
        const grants: GrantRecord[] = await deps.store.listGrants({
          ...(all ? {} : { activeAt: new Date().toISOString() }),
          ...(isPrivileged(ctx.caller)
            ? {}
            : { subject: ctx.caller.identity.subject, subjectKind: ctx.caller.identity.kind }),
        });
        return { status: 200, body: { grants: grants.filter((g) => inScope(ctx.caller, g.connection)) } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/grants\/([A-Za-z0-9_-]+)\/revoke$/,
      roles: ['user'],
      async handle(ctx) {
        const id = ctx.params[0]!;
        const found = await deps.store.getGrant(id);
        const grant = found && inScope(ctx.caller, found.connection) ? found : null;
        // A holder may give a grant back; only an admin takes someone else's away.
        const mayRevoke =
          grant !== null &&
          (ctx.caller.roles.includes('admin') ||
            sameIdentity({ subject: grant.subject, kind: grant.subjectKind }, ctx.caller.identity));
        if (!grant || (!mayRevoke && !isPrivileged(ctx.caller)))
          throw new VigilError('grant_unknown', `no grant ${id}`);
        if (!mayRevoke)
          throw new VigilError(
            'forbidden_role',
            'revoking the grant of another identity needs the role admin',
          );
        const revoked = await deps.approvals.revokeGrant(id, ctx.caller.identity);
        await deps.applyNow();
        return { status: 200, body: { grant: revoked } };
      },
    },
  ];
}
