// GET /api/sessions/:session/approvals/:approval/action: the held action a request asks a reviewer
// to approve, whole, as the ledger recorded it (masked) in the requester's `approval.requested`.
// An approval record carries only a one-line summary of its action, cut at 400 characters: a
// statement padded past that point (`… where id = 1 or /* 400 characters */ true`) showed reviewers
// a harmless beginning, and a reviewer who is neither admin nor auditor may not read the
// requester's session, so had no way to see the rest before approving it. Whoever may see the
// request (its reviewers, its requester, admins and auditors) may read its action; reading it is
// recorded (audit.viewed, `held-action`).
import { VigilError } from '../../core/errors.js';
import { isJsonObject } from '../../core/json-read.js';
import type { Store } from '../../core/ports.js';
import type { Route } from '../admin-route.js';
import { maySeeRequest } from './approvals.js';
import type { Audit } from './sessions.js';

export function heldActionRoute(store: Store, audit: Audit): Route {
  return {
    method: 'GET',
    pattern: /^\/api\/sessions\/([A-Za-z0-9_-]+)\/approvals\/([A-Za-z0-9_-]+)\/action$/,
    roles: ['user'],
    async handle(ctx) {
      const [sessionId, approvalId] = [ctx.params[0]!, ctx.params[1]!];
      // Someone who may not see the request learns nothing, not even that the session exists.
      const unknown = new VigilError('approval_unknown', `no approval request ${approvalId}`);
      const session = await store.getSession(sessionId);
      if (!session) throw unknown;
      const events = await store.readSessionContent(sessionId, { types: ['approval.requested'] });
      const requested = events.find((e) => e.payload?.approval_id === approvalId);
      const approvers = requested?.payload?.approvers;
      if (
        !requested ||
        !Array.isArray(approvers) ||
        !maySeeRequest(ctx.caller, {
          connection: session.connection,
          requester: requested.identity,
          approvers: approvers.filter((p): p is string => typeof p === 'string'),
        })
      )
        throw unknown;
      await audit(ctx, { what: 'held-action', session: sessionId, approval: approvalId });
      const action = requested.payload?.action;
      return {
        status: 200,
        body: {
          approval_id: approvalId,
          session_id: sessionId,
          seq: requested.seq,
          // Null when the ledger's payloads were purged since (vigil purge).
          action: isJsonObject(action) ? action : null,
        },
      };
    },
  };
}
