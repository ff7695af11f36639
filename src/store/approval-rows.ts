// Rows of the approvals, approval_votes and grants tables as the ApprovalStore port returns them:
// the same columns in every SQL backend, so one mapping serves them all.
import type { Identity, IdentityKind, JsonObject } from '../core/events.js';
import type {
  ApprovalKind,
  ApprovalRecord,
  ApprovalStatus,
  ApprovalVote,
  GrantRecord,
} from '../core/ports.js';

export interface ApprovalRow {
  id: string;
  kind: string;
  status: string;
  requester: string;
  connection: string;
  session_id: string;
  rule: string | null;
  reason: string;
  subject: string;
  approvers: string;
  required: number;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  action_digest: string | null;
}

export interface VoteRow {
  approval_id: string;
  reviewer: string;
  decision: string;
  reason: string;
  at: string;
}

export interface GrantRow {
  id: string;
  subject: string;
  subject_kind: string;
  connection: string;
  approval_id: string | null;
  /** A boolean column, or 0/1 where the database has no boolean type (SQLite). */
  break_glass: boolean | number;
  reason: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** The columns of an approvals row, in order, and its values from a record (votes are rows of their own). */
export const APPROVAL_COLUMNS =
  'id, kind, status, requester, connection, session_id, rule, reason, subject, approvers, required, created_at, expires_at, decided_at, action_digest';

export function approvalValues(r: ApprovalRecord): unknown[] {
  return [
    r.id,
    r.kind,
    r.status,
    JSON.stringify(r.requester),
    r.connection,
    r.sessionId,
    r.rule,
    r.reason,
    JSON.stringify(r.subject),
    JSON.stringify(r.approvers),
    r.required,
    r.createdAt,
    r.expiresAt,
    r.decidedAt,
    r.actionDigest,
  ];
}

export function approvalOf(row: ApprovalRow, votes: readonly ApprovalVote[]): ApprovalRecord {
  return {
    id: row.id,
    kind: row.kind as ApprovalKind,
    status: row.status as ApprovalStatus,
    requester: JSON.parse(row.requester) as Identity,
    connection: row.connection,
    sessionId: row.session_id,
    rule: row.rule,
    reason: row.reason,
    subject: JSON.parse(row.subject) as JsonObject,
    approvers: JSON.parse(row.approvers) as string[],
    required: row.required,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    decidedAt: row.decided_at,
    votes,
    actionDigest: row.action_digest,
  };
}

export function voteOf(row: VoteRow): ApprovalVote {
  return {
    reviewer: JSON.parse(row.reviewer) as Identity,
    decision: row.decision as ApprovalVote['decision'],
    reason: row.reason,
    at: row.at,
  };
}

export function grantOf(row: GrantRow): GrantRecord {
  return {
    id: row.id,
    subject: row.subject,
    subjectKind: row.subject_kind as IdentityKind,
    connection: row.connection,
    approvalId: row.approval_id,
    breakGlass: row.break_glass === true || row.break_glass === 1,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}
