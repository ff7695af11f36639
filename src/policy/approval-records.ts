// Building and describing approval records: shared by held actions, access requests and break-glass.
import { VigilError } from '../core/errors.js';
import type { Identity, JsonObject } from '../core/events.js';
import { nowIso } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { ApprovalRecord } from '../core/ports.js';
import type { ApprovalNotice, NoticeKind } from './approval-notifier.js';

export type NewApproval = Pick<
  ApprovalRecord,
  'kind' | 'requester' | 'connection' | 'sessionId' | 'rule' | 'reason' | 'subject' | 'approvers' | 'required'
> & { readonly actionDigest?: string | null };

/** A fresh pending request, open for `ttlMs` from `now`. */
export function pendingApproval(now: number, ttlMs: number, fields: NewApproval): ApprovalRecord {
  return {
    ...fields,
    actionDigest: fields.actionDigest ?? null,
    id: newId('ap'),
    status: 'pending',
    requester: stripToken(fields.requester),
    approvers: [...fields.approvers],
    createdAt: nowIso(now),
    expiresAt: nowIso(now + ttlMs),
    decidedAt: null,
    votes: [],
  };
}

/** What approval.requested records about a request (the held action itself is added by the caller). */
export function requestFacts(record: ApprovalRecord): JsonObject {
  return {
    approval_id: record.id,
    kind: record.kind,
    rule: record.rule,
    reason: record.reason,
    summary: typeof record.subject.summary === 'string' ? record.subject.summary : null,
    approvers: [...record.approvers],
    required: record.required,
    expires_at: record.expiresAt,
    // A held action names its digest even when null, so the ledger shows that nothing was bound.
    ...(record.kind === 'action' ? { action_digest: record.actionDigest } : {}),
    ...(typeof record.subject.duration_ms === 'number' ? { duration_ms: record.subject.duration_ms } : {}),
  };
}

/** Identities stored in approvals keep who, not which token. */
export function stripToken(identity: Identity): Identity {
  return { subject: identity.subject, kind: identity.kind, groups: [...identity.groups] };
}

export function checkDuration(ms: number, max: number): void {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new VigilError('usage', 'the duration must be positive, such as 2h');
  if (ms > max) throw new VigilError('usage', `the duration may be at most ${formatMs(max)}`);
}

export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** What reviewers are told about a request (all of it already masked). */
export function noticeFor(
  record: ApprovalRecord,
  kind: NoticeKind,
  actor: string,
  time: string,
  extra: Partial<ApprovalNotice> = {},
): ApprovalNotice {
  return {
    kind,
    approval_id: record.id,
    connection: record.connection,
    session_id: record.sessionId,
    requester: record.requester.subject,
    actor,
    summary: typeof record.subject.summary === 'string' ? record.subject.summary : record.kind,
    ...(record.rule ? { rule: record.rule } : {}),
    reason: record.reason,
    expires_at: record.expiresAt,
    ...(record.actionDigest ? { action_digest: record.actionDigest } : {}),
    time,
    ...extra,
  };
}
