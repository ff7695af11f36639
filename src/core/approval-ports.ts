// Ports of approvals and grants: held actions, access requests and break-glass as every gateway
// replica and reviewer sees them, and the time-bound grants they lead to. Re-exported by ports.ts.
import type { Identity, IdentityKind, JsonObject } from './events.js';

export const APPROVAL_KINDS = ['action', 'access', 'break-glass'] as const;
/** action: a held statement, prompt or command; access: a request for a time-bound grant; break-glass: an emergency access to review afterwards. */
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'withdrawn'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalVote {
  readonly reviewer: Identity;
  readonly decision: 'approve' | 'deny';
  readonly reason: string;
  readonly at: string;
  /**
   * Of the reviewer's groups, those the voting gateway's copy of the SCIM directory gave them (not
   * their sign-in): the store holds them to the committed directory even when SCIM has deleted the
   * group since, and so manages it no more. Not stored with the vote.
   */
  readonly directoryGroups?: readonly string[];
}

/** An approval request as stored: shared by every gateway replica and visible to reviewers. */
export interface ApprovalRecord {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly status: ApprovalStatus;
  readonly requester: Identity;
  readonly connection: string;
  /** The session the request belongs to: its approval events are recorded there. */
  readonly sessionId: string;
  /** The policy rule that asked for the review (null for access requests). */
  readonly rule: string | null;
  /** The rule's reason, or the requester's justification. */
  readonly reason: string;
  /** What is held, masked: the event type and payload, or the requested grant. */
  readonly subject: JsonObject;
  /** Principals (user:, group:, service:, *) whose members may decide. */
  readonly approvers: readonly string[];
  /** Approvals needed; a single denial denies. */
  readonly required: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly decidedAt: string | null;
  readonly votes: readonly ApprovalVote[];
  /**
   * For a held action: the SHA-256 (hex, core/action-digest.ts) of exactly what the adapter will
   * send if it is approved. Reviewers approve this digest; a release whose action differs is refused
   * (approval_mismatch). Null for access requests and break-glass reviews, and for an adapter that
   * gave none.
   */
  readonly actionDigest: string | null;
}

/** A time-bound permission to use a connection, from an approved access request or break-glass. */
export interface GrantRecord {
  readonly id: string;
  readonly subject: string;
  /**
   * The grantee's kind: a grant is for the user or the service account of that subject, never both
   * (a user whose provider subject is `deploy` is not the service account `deploy`).
   */
  readonly subjectKind: IdentityKind;
  readonly connection: string;
  readonly approvalId: string | null;
  readonly breakGlass: boolean;
  readonly reason: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}

/** Where a page of overdue requests ended: the next page starts after this deadline and id. */
export interface ApprovalCursor {
  readonly expiresAt: string;
  readonly id: string;
}

export type VoteResult =
  | { readonly outcome: 'recorded'; readonly record: ApprovalRecord }
  | { readonly outcome: 'closed' | 'duplicate' | 'unknown' }
  /** The reviewer is disabled in the shared directory: the vote is not stored, the request stays. */
  | { readonly outcome: 'reviewer-disabled' }
  /**
   * The committed directory no longer places the reviewer among the request's approvers (SCIM took
   * them out of the approver group, or deleted it): their approval is not stored, the request stays.
   */
  | { readonly outcome: 'not-an-approver' }
  /**
   * An approval would count on someone disabled in the shared directory (the requester, or a reviewer
   * whose approval it already counts): the vote is not stored, and the request must be withdrawn.
   */
  | { readonly outcome: 'lapsed'; readonly reason: string };

/** A request's committed state as the replica about to end its session reads it (settleRequestSession). */
export interface RequestSessionState {
  readonly status: ApprovalStatus;
  /** Whether the ledger holds the end of the request's session already (whoever recorded it). */
  readonly sessionEnded: boolean;
}

/**
 * Approvals and grants, shared by gateway replicas through the store. Every change is also recorded
 * in the ledger by whoever makes it; these tables are the working state, the ledger is the proof.
 */
export interface ApprovalStore {
  createApproval(record: ApprovalRecord): Promise<void>;
  getApproval(id: string): Promise<ApprovalRecord | null>;
  /** Newest first. */
  listApprovals(filter?: {
    readonly status?: ApprovalStatus;
    readonly kind?: ApprovalKind;
    readonly limit?: number;
  }): Promise<ApprovalRecord[]>;
  /**
   * Pending requests whose deadline is at or before `at`, earliest deadline first (then id), at most
   * `limit`, after `after` when given (the last one of the previous page). Every replica's expiry
   * sweep pages through these, so no number of newer requests keeps an old one from its deadline.
   */
  listOverdueApprovals(at: string, limit: number, after?: ApprovalCursor): Promise<ApprovalRecord[]>;
  /**
   * How many requests of this requester (their subject, compared as sameSubject does) are pending:
   * the cap on one requester's open requests is checked against it.
   */
  countPendingApprovals(requesterSubject: string): Promise<number>;
  /**
   * Adds one reviewer's vote, atomically and only while the request is pending: a deny closes it as
   * denied, the `required`-th approve as approved. A reviewer votes once (duplicate). `required`
   * names a higher count in force now (a reload raised it): then that many approvals are needed.
   * Atomic against the shared directory as well (disabled identities, SCIM users marked inactive):
   * a reviewer disabled there votes no more (reviewer-disabled), and an approval never counts on a
   * requester (break-glass aside) or an earlier approving reviewer disabled there (lapsed), whatever
   * a gateway's copy of the directory said when it let the reviewer in. Nor does an approval count
   * from a reviewer the committed directory no longer places among the approvers: their own is
   * refused (not-an-approver, the request stays pending for the approvers it has), and one counted
   * earlier lapses. A change committed first is seen; one committed after the vote finds the vote
   * cast and withdraws what still waits. A vote that reaches the store at or after the request's
   * deadline (the time spent waiting for the store's lock counted) is refused as closed.
   */
  addVote(id: string, vote: ApprovalVote, required?: number): Promise<VoteResult>;
  /** pending → expired or withdrawn (or approved, for break-glass reviews); false when no longer pending. */
  closeApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, at: string): Promise<boolean>;
  /**
   * Runs `settle` with the request's committed status and whether its session has ended, and returns
   * what it returns (null for an unknown request). Every replica that would end an access request's
   * or break-glass use's session (the one settling it, the one that opened it and shuts down) does it
   * inside `settle`: on PostgreSQL `settle` runs while the request's row is locked, so another
   * replica's settle, and a vote, wait for it, and the next one reads the end the first recorded. The
   * ledger then holds one end per request session, whoever writes it. SQLite serves one gateway
   * process, whose request queue already runs one settle per request at a time: `settle` runs there
   * without a lock (the recorder writes on a connection of its own, which a held write lock would
   * block).
   */
  settleRequestSession<T>(id: string, settle: (state: RequestSessionState) => Promise<T>): Promise<T | null>;
  /** Current statuses of these requests (unknown ids are absent). */
  approvalStatuses(ids: readonly string[]): Promise<Map<string, ApprovalStatus>>;
  createGrant(grant: GrantRecord): Promise<void>;
  getGrant(id: string): Promise<GrantRecord | null>;
  /** Newest first; `activeAt` keeps grants neither expired nor revoked at that time. */
  listGrants(filter?: {
    readonly activeAt?: string;
    readonly subject?: string;
    /** Only grants of this kind of grantee (with `subject`: one holder's grants). */
    readonly subjectKind?: IdentityKind;
    readonly connection?: string;
  }): Promise<GrantRecord[]>;
  /** False when the grant is unknown or already revoked. */
  revokeGrant(id: string, at: string, by: string): Promise<boolean>;
  /** Changes whenever a grant is created or revoked, so gateways notice with one cheap read. */
  grantsVersion(): Promise<number>;
}
