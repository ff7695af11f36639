// Approvals and grants in the embedded SQLite database (same file as the ledger, separate tables).
// Several gateway replicas may share the file, so every read-modify-write runs in an IMMEDIATE
// transaction: it takes the write lock before reading, and the busy timeout queues competitors
// instead of failing them when another connection committed after our read.
import type Database from 'better-sqlite3';
import type { RequestSessionState } from '../../core/approval-ports.js';
import { type Identity, type IdentityKind, sameSubject, subjectKey } from '../../core/events.js';
import type {
  ApprovalCursor,
  ApprovalKind,
  ApprovalRecord,
  ApprovalStatus,
  ApprovalStore,
  ApprovalVote,
  GrantRecord,
  VoteResult,
} from '../../core/ports.js';
import {
  APPROVAL_COLUMNS,
  type ApprovalRow,
  approvalOf,
  approvalValues,
  type GrantRow,
  grantOf,
  type VoteRow,
  voteOf,
} from '../approval-rows.js';
import {
  approvalDependsOn,
  approverByDirectory,
  approversDependedOn,
  disabledLookup,
  type VoteDependency,
  votedAfterDeadline,
} from '../vote-lapse.js';
import { writeTransaction } from './busy-retry.js';

const DEFAULT_LIST_LIMIT = 200;

export class SqliteApprovalStore implements ApprovalStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async createApproval(r: ApprovalRecord): Promise<void> {
    writeTransaction(this.#db, () => {
      const values = approvalValues(r);
      this.#db
        .prepare(`INSERT INTO approvals (${APPROVAL_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})`)
        .run(...values);
      for (const vote of r.votes) this.#insertVote(r.id, vote);
    });
  }

  async getApproval(id: string): Promise<ApprovalRecord | null> {
    // One read transaction, so the row and its votes come from the same snapshot.
    return this.#db.transaction(() => this.#readApproval(id))();
  }

  async listApprovals(
    filter: { readonly status?: ApprovalStatus; readonly kind?: ApprovalKind; readonly limit?: number } = {},
  ): Promise<ApprovalRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.kind) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    const sql = `SELECT * FROM approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT ?`;
    params.push(filter.limit ?? DEFAULT_LIST_LIMIT);
    return this.#db.transaction(() => {
      const rows = this.#db.prepare(sql).all(...params) as ApprovalRow[];
      const votes = this.#votesOf(rows.map((r) => r.id));
      return rows.map((row) => approvalOf(row, votes.get(row.id) ?? []));
    })();
  }

  async listOverdueApprovals(at: string, limit: number, after?: ApprovalCursor): Promise<ApprovalRecord[]> {
    // Times are ISO-8601 UTC with milliseconds, so text order is time order. The cursor is one row
    // value, so the page starts in the approvals_overdue index rather than scanning up to it.
    const page = after ? 'AND (expires_at, id) > (?, ?)' : '';
    const params: unknown[] = [at, ...(after ? [after.expiresAt, after.id] : []), limit];
    return this.#db.transaction(() => {
      const rows = this.#db
        .prepare(
          `SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ${page}
           ORDER BY expires_at, id LIMIT ?`,
        )
        .all(...params) as ApprovalRow[];
      const votes = this.#votesOf(rows.map((r) => r.id));
      return rows.map((row) => approvalOf(row, votes.get(row.id) ?? []));
    })();
  }

  async countPendingApprovals(requesterSubject: string): Promise<number> {
    // SQLite's lower() folds ASCII letters only, as subjectKey does.
    const row = this.#db
      .prepare(
        `SELECT COUNT(*) AS n FROM approvals
         WHERE status = 'pending' AND kind <> 'break-glass'
           AND lower(json_extract(requester, '$.subject')) = lower(?)`,
      )
      .get(requesterSubject) as { n: number };
    return row.n;
  }

  async addVote(id: string, vote: ApprovalVote, required = 1): Promise<VoteResult> {
    // Before the write lock, which another replica may hold for a while (votedAfterDeadline).
    const started = performance.now();
    return writeTransaction(this.#db, (): VoteResult => {
      const row = this.#db
        .prepare('SELECT status, required, expires_at FROM approvals WHERE id = ?')
        .get(id) as { status: string; required: number; expires_at: string } | undefined;
      if (!row) return { outcome: 'unknown' };
      if (row.status !== 'pending') return { outcome: 'closed' };
      // Past its deadline the request is closed, whether or not a sweep has marked it yet.
      if (votedAfterDeadline(row.expires_at, vote, started)) return { outcome: 'closed' };
      // One person under two spellings of their subject's case votes once (sameSubject).
      const voters = this.#db
        .prepare('SELECT reviewer_subject FROM approval_votes WHERE approval_id = ?')
        .all(id) as { reviewer_subject: string }[];
      if (voters.some((v) => sameSubject(v.reviewer_subject, vote.reviewer.subject)))
        return { outcome: 'duplicate' };
      // Inside the write lock: no access change interleaves with the vote (ApprovalStore.addVote).
      if (this.#isDisabled(vote.reviewer)) return { outcome: 'reviewer-disabled' };
      const record = this.#readApproval(id)!;
      // The reviewer's own approval first: refused alone, it leaves the request to its other approvers.
      const [own, ...earlier] = approversDependedOn(record, vote);
      if (own && !this.#byDirectory(record, own, vote.directoryGroups)) return { outcome: 'not-an-approver' };
      const lapsed =
        approvalDependsOn(record, vote).find((d) => this.#isDisabled(d.identity)) ??
        earlier.find((d) => !this.#byDirectory(record, d));
      if (lapsed) return { outcome: 'lapsed', reason: lapsed.reason };
      this.#insertVote(id, vote);
      const approvals = (
        this.#db
          .prepare("SELECT COUNT(*) AS n FROM approval_votes WHERE approval_id = ? AND decision = 'approve'")
          .get(id) as { n: number }
      ).n;
      const decided: ApprovalStatus | null =
        vote.decision === 'deny'
          ? 'denied'
          : approvals >= Math.max(row.required, required)
            ? 'approved'
            : null;
      if (decided) {
        this.#db
          .prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?')
          .run(decided, vote.at, id);
      }
      return { outcome: 'recorded', record: this.#readApproval(id)! };
    });
  }

  async closeApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, at: string): Promise<boolean> {
    // A single conditional UPDATE is atomic on its own: it cannot close a request a vote just decided.
    return (
      this.#db
        .prepare("UPDATE approvals SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending'")
        .run(status, at, id).changes > 0
    );
  }

  async settleRequestSession<T>(
    id: string,
    settle: (state: RequestSessionState) => Promise<T>,
  ): Promise<T | null> {
    // No lock held across `settle`: it records through the recorder, whose connection a held write
    // lock would block (ApprovalStore.settleRequestSession).
    const row = this.#db
      .prepare(
        `SELECT a.status, s.ended_at FROM approvals a LEFT JOIN sessions s ON s.id = a.session_id
          WHERE a.id = ?`,
      )
      .get(id) as { status: ApprovalStatus; ended_at: string | null } | undefined;
    if (!row) return null;
    return settle({ status: row.status, sessionEnded: row.ended_at != null });
  }

  async approvalStatuses(ids: readonly string[]): Promise<Map<string, ApprovalStatus>> {
    const rows = this.#db
      .prepare('SELECT id, status FROM approvals WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { id: string; status: string }[];
    return new Map(rows.map((r) => [r.id, r.status as ApprovalStatus]));
  }

  async createGrant(g: GrantRecord): Promise<void> {
    writeTransaction(this.#db, () => {
      this.#db
        .prepare(
          `INSERT INTO grants (id, subject, subject_kind, connection, approval_id, break_glass, reason, created_at,
             expires_at, revoked_at, revoked_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          g.id,
          g.subject,
          g.subjectKind,
          g.connection,
          g.approvalId,
          g.breakGlass ? 1 : 0,
          g.reason,
          g.createdAt,
          g.expiresAt,
          g.revokedAt,
          g.revokedBy,
        );
      this.#bumpGrantsVersion();
    });
  }

  async getGrant(id: string): Promise<GrantRecord | null> {
    const row = this.#db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as GrantRow | undefined;
    return row ? grantOf(row) : null;
  }

  async listGrants(
    filter: {
      readonly activeAt?: string;
      readonly subject?: string;
      readonly subjectKind?: IdentityKind;
      readonly connection?: string;
    } = {},
  ): Promise<GrantRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.activeAt) {
      // Times are ISO-8601 UTC with milliseconds, so text order is time order.
      where.push('revoked_at IS NULL AND expires_at > ?');
      params.push(filter.activeAt);
    }
    if (filter.subject) {
      where.push('subject = ?');
      params.push(filter.subject);
    }
    if (filter.subjectKind) {
      where.push('subject_kind = ?');
      params.push(filter.subjectKind);
    }
    if (filter.connection) {
      where.push('connection = ?');
      params.push(filter.connection);
    }
    const sql = `SELECT * FROM grants ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC`;
    return (this.#db.prepare(sql).all(...params) as GrantRow[]).map(grantOf);
  }

  async revokeGrant(id: string, at: string, by: string): Promise<boolean> {
    return writeTransaction(this.#db, () => {
      const changed =
        this.#db
          .prepare('UPDATE grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL')
          .run(at, by, id).changes > 0;
      if (changed) this.#bumpGrantsVersion();
      return changed;
    });
  }

  async grantsVersion(): Promise<number> {
    return (
      this.#db.prepare("SELECT value FROM access_meta WHERE key = 'grants_version'").get() as {
        value: number;
      }
    ).value;
  }

  /** Disabled as AccessState reads it: listed as disabled (any kind), or a person SCIM marked inactive. */
  #isDisabled(identity: Identity): boolean {
    const { key, person } = disabledLookup(identity);
    // SQLite's lower() folds ASCII letters only, as subjectKey does.
    const row = this.#db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM disabled_identities WHERE lower(subject) = ?)
             OR (? AND EXISTS (SELECT 1 FROM scim_users WHERE user_name_key = ? AND active = 0)) AS off`,
      )
      .get(key, person ? 1 : 0, key) as { off: number };
    return row.off === 1;
  }

  /**
   * Whether the committed directory places the reviewer of an approval among the request's
   * approvers (SCIM may have taken them out of the approver group, or deleted the group), read
   * inside the vote's lock.
   */
  #byDirectory(record: ApprovalRecord, d: VoteDependency, fromScim: readonly string[] = []): boolean {
    const names = this.#db.prepare('SELECT display_name FROM scim_groups').all() as {
      display_name: string;
    }[];
    // A group the voting gateway had from SCIM is judged by SCIM's membership, deleted group or not.
    const managed = new Set([...names.map((g) => g.display_name), ...fromScim]);
    const given = (
      this.#db
        .prepare(
          `SELECT g.display_name FROM scim_groups g JOIN scim_members m ON m.group_id = g.id
             JOIN scim_users u ON u.id = m.user_id WHERE u.user_name_key = ?`,
        )
        .all(subjectKey(d.identity.subject)) as { display_name: string }[]
    ).map((g) => g.display_name);
    return approverByDirectory(record.approvers, d.identity, { managed, given });
  }

  #bumpGrantsVersion(): void {
    this.#db.prepare("UPDATE access_meta SET value = value + 1 WHERE key = 'grants_version'").run();
  }

  #insertVote(approvalId: string, vote: ApprovalVote): void {
    this.#db
      .prepare(
        'INSERT INTO approval_votes (approval_id, reviewer_subject, reviewer, decision, reason, at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        approvalId,
        vote.reviewer.subject,
        JSON.stringify(vote.reviewer),
        vote.decision,
        vote.reason,
        vote.at,
      );
  }

  /** Call inside a transaction. */
  #readApproval(id: string): ApprovalRecord | null {
    const row = this.#db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
    return row ? approvalOf(row, this.#votesOf([id]).get(id) ?? []) : null;
  }

  /** Votes of these requests in the order they were cast (time, then insertion). */
  #votesOf(ids: readonly string[]): Map<string, ApprovalVote[]> {
    const byApproval = new Map<string, ApprovalVote[]>();
    if (ids.length === 0) return byApproval;
    const rows = this.#db
      .prepare(
        `SELECT approval_id, reviewer, decision, reason, at FROM approval_votes
         WHERE approval_id IN (SELECT value FROM json_each(?)) ORDER BY at, rowid`,
      )
      .all(JSON.stringify(ids)) as VoteRow[];
    for (const row of rows) {
      const list = byApproval.get(row.approval_id) ?? [];
      list.push(voteOf(row));
      byApproval.set(row.approval_id, list);
    }
    return byApproval;
  }
}
