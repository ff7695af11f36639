// Approvals and grants on PostgreSQL, shared by gateway replicas. A vote is a read-modify-write: it
// locks the request's row (SELECT ... FOR UPDATE) first, so concurrent votes and closes on one
// request queue up and each sees the other's outcome; and it reads the directory under a share lock
// on the access version, so no access change interleaves with it. Reads of a request with its votes run in one
// snapshot (REPEATABLE READ). Ending a request's session takes the same row lock, so two replicas
// never both record it (settleRequestSession).
import type pg from 'pg';
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
import { bumpGrantsVersion } from './access-version.js';
import { safeInteger } from './pg-integers.js';
import { inTransaction } from './pg-pool.js';

const DEFAULT_LIST_LIMIT = 200;
const SNAPSHOT = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
const ASCII_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class PostgresApprovalStore implements ApprovalStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async createApproval(r: ApprovalRecord): Promise<void> {
    const values = approvalValues(r);
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO approvals (${APPROVAL_COLUMNS}) VALUES (${values.map((_, n) => `$${n + 1}`).join(', ')})`,
        values,
      );
      for (const vote of r.votes) await insertVote(client, r.id, vote);
    });
  }

  getApproval(id: string): Promise<ApprovalRecord | null> {
    return inTransaction(this.#pool, (client) => readApproval(client, id), SNAPSHOT);
  }

  listApprovals(
    filter: { readonly status?: ApprovalStatus; readonly kind?: ApprovalKind; readonly limit?: number } = {},
  ): Promise<ApprovalRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.kind) {
      params.push(filter.kind);
      where.push(`kind = $${params.length}`);
    }
    params.push(filter.limit ?? DEFAULT_LIST_LIMIT);
    const sql = `SELECT * FROM approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC LIMIT $${params.length}`;
    return this.#withVotes(sql, params);
  }

  listOverdueApprovals(at: string, limit: number, after?: ApprovalCursor): Promise<ApprovalRecord[]> {
    // expires_at has the database's collation: compare and order it byte-wise, as time order.
    const params: unknown[] = [at, limit];
    let page = '';
    if (after) {
      params.push(after.expiresAt, after.id);
      page = 'AND (expires_at COLLATE "C", id) > ($3, $4)';
    }
    const sql = `SELECT * FROM approvals WHERE status = 'pending' AND expires_at COLLATE "C" <= $1 ${page}
                 ORDER BY expires_at COLLATE "C", id LIMIT $2`;
    return this.#withVotes(sql, params);
  }

  /** The requests `sql` selects, with their votes, read in one snapshot. */
  #withVotes(sql: string, params: unknown[]): Promise<ApprovalRecord[]> {
    return inTransaction(
      this.#pool,
      async (client) => {
        const rows = (await client.query(sql, params)).rows as ApprovalRow[];
        const votes = await votesOf(
          client,
          rows.map((r) => r.id),
        );
        return rows.map((row) => approvalOf(row, votes.get(row.id) ?? []));
      },
      SNAPSHOT,
    );
  }

  async countPendingApprovals(requesterSubject: string): Promise<number> {
    // translate folds ASCII letters only, as subjectKey does (lower() would fold by the locale).
    const { rows } = await this.#pool.query(
      `SELECT COUNT(*) AS n FROM approvals WHERE status = 'pending' AND kind <> 'break-glass'
         AND translate(requester::jsonb ->> 'subject', $2, $3) = translate($1, $2, $3)`,
      [requesterSubject, ASCII_UPPER, ASCII_UPPER.toLowerCase()],
    );
    return safeInteger((rows[0] as { n: unknown }).n, 'count');
  }

  addVote(id: string, vote: ApprovalVote, required = 1): Promise<VoteResult> {
    // Before the row lock, which another replica may hold for a while (votedAfterDeadline).
    const started = performance.now();
    return inTransaction(this.#pool, async (client): Promise<VoteResult> => {
      const locked = await client.query(
        'SELECT status, required, expires_at FROM approvals WHERE id = $1 FOR UPDATE',
        [id],
      );
      const row = locked.rows[0] as { status: string; required: number; expires_at: string } | undefined;
      if (!row) return { outcome: 'unknown' };
      if (row.status !== 'pending') return { outcome: 'closed' };
      // Past its deadline the request is closed, whether or not a sweep has marked it yet.
      if (votedAfterDeadline(row.expires_at, vote, started)) return { outcome: 'closed' };
      // One person under two spellings of their subject's case votes once (sameSubject).
      const voters = await client.query(
        'SELECT reviewer_subject FROM approval_votes WHERE approval_id = $1',
        [id],
      );
      if (voters.rows.some((v) => sameSubject(String(v.reviewer_subject), vote.reviewer.subject)))
        return { outcome: 'duplicate' };
      const lapsed = await lapseOf(client, id, vote);
      if (lapsed) return lapsed;
      await insertVote(client, id, vote);
      const counted = await client.query(
        "SELECT COUNT(*) AS n FROM approval_votes WHERE approval_id = $1 AND decision = 'approve'",
        [id],
      );
      const approvals = safeInteger((counted.rows[0] as { n: unknown }).n, 'count');
      const decided: ApprovalStatus | null =
        vote.decision === 'deny'
          ? 'denied'
          : approvals >= Math.max(row.required, required)
            ? 'approved'
            : null;
      if (decided)
        await client.query('UPDATE approvals SET status = $1, decided_at = $2 WHERE id = $3', [
          decided,
          vote.at,
          id,
        ]);
      const record = await readApproval(client, id);
      if (!record) throw new Error(`approval ${id} vanished inside its own transaction`);
      return { outcome: 'recorded', record };
    });
  }

  async closeApproval(id: string, status: Exclude<ApprovalStatus, 'pending'>, at: string): Promise<boolean> {
    // One conditional UPDATE: it waits for a vote holding the row and then sees its outcome.
    const result = await this.#pool.query(
      "UPDATE approvals SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'",
      [status, at, id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  settleRequestSession<T>(id: string, settle: (state: RequestSessionState) => Promise<T>): Promise<T | null> {
    return inTransaction(this.#pool, async (client) => {
      const locked = await client.query('SELECT status, session_id FROM approvals WHERE id = $1 FOR UPDATE', [
        id,
      ]);
      const row = locked.rows[0] as { status: ApprovalStatus; session_id: string } | undefined;
      if (!row) return null;
      // A statement of its own, after the lock: it reads the end a replica that held the lock before
      // committed (its end was recorded before its transaction let go of the row).
      const { rows } = await client.query('SELECT ended_at FROM sessions WHERE id = $1', [row.session_id]);
      const ended = (rows[0] as { ended_at: string | null } | undefined)?.ended_at != null;
      return settle({ status: row.status, sessionEnded: ended });
    });
  }

  async approvalStatuses(ids: readonly string[]): Promise<Map<string, ApprovalStatus>> {
    const { rows } = await this.#pool.query('SELECT id, status FROM approvals WHERE id = ANY($1::text[])', [
      [...ids],
    ]);
    return new Map((rows as { id: string; status: string }[]).map((r) => [r.id, r.status as ApprovalStatus]));
  }

  async createGrant(g: GrantRecord): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO grants (id, subject, subject_kind, connection, approval_id, break_glass, reason, created_at,
           expires_at, revoked_at, revoked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          g.id,
          g.subject,
          g.subjectKind,
          g.connection,
          g.approvalId,
          g.breakGlass,
          g.reason,
          g.createdAt,
          g.expiresAt,
          g.revokedAt,
          g.revokedBy,
        ],
      );
      await bumpGrantsVersion(client);
    });
  }

  async getGrant(id: string): Promise<GrantRecord | null> {
    const { rows } = await this.#pool.query('SELECT * FROM grants WHERE id = $1', [id]);
    const row = rows[0] as GrantRow | undefined;
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
      // Times are ISO-8601 UTC with milliseconds in the "C" collation, so text order is time order.
      params.push(filter.activeAt);
      where.push(`revoked_at IS NULL AND expires_at > $${params.length}`);
    }
    if (filter.subject) {
      params.push(filter.subject);
      where.push(`subject = $${params.length}`);
    }
    if (filter.subjectKind) {
      params.push(filter.subjectKind);
      where.push(`subject_kind = $${params.length}`);
    }
    if (filter.connection) {
      params.push(filter.connection);
      where.push(`connection = $${params.length}`);
    }
    const sql = `SELECT * FROM grants ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY created_at DESC, id DESC`;
    return ((await this.#pool.query(sql, params)).rows as GrantRow[]).map(grantOf);
  }

  revokeGrant(id: string, at: string, by: string): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      const result = await client.query(
        'UPDATE grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL',
        [at, by, id],
      );
      const changed = (result.rowCount ?? 0) > 0;
      if (changed) await bumpGrantsVersion(client);
      return changed;
    });
  }

  async grantsVersion(): Promise<number> {
    const { rows } = await this.#pool.query("SELECT value FROM access_meta WHERE key = 'grants_version'");
    return safeInteger((rows[0] as { value: unknown }).value, 'access_meta.grants_version');
  }
}

/**
 * Why the vote may not count (ApprovalStore.addVote), read under a share lock on the access version:
 * every access change raises it in its own transaction, so one committed before this vote is seen
 * here, and one not yet committed waits for the vote (which then stands, cast before the change).
 */
async function lapseOf(
  client: pg.ClientBase,
  id: string,
  vote: ApprovalVote,
): Promise<Extract<VoteResult, { outcome: 'reviewer-disabled' | 'not-an-approver' | 'lapsed' }> | null> {
  await client.query("SELECT value FROM access_meta WHERE key = 'version' FOR SHARE");
  if (await isDisabled(client, vote.reviewer)) return { outcome: 'reviewer-disabled' };
  const record = await readApproval(client, id);
  if (!record) return null;
  // The reviewer's own approval first: refused alone, it leaves the request to its other approvers.
  const [own, ...earlier] = approversDependedOn(record, vote);
  const directory = own ? await committedDirectory(client) : null;
  // A group the voting gateway had from SCIM is judged by SCIM's membership, deleted group or not.
  const asGiven = directory ? new Set([...directory, ...(vote.directoryGroups ?? [])]) : null;
  if (own && asGiven && !(await byDirectory(client, record, own, asGiven)))
    return { outcome: 'not-an-approver' };
  for (const d of approvalDependsOn(record, vote)) {
    if (await isDisabled(client, d.identity)) return { outcome: 'lapsed', reason: d.reason };
  }
  for (const d of earlier) {
    if (directory && !(await byDirectory(client, record, d, directory)))
      return { outcome: 'lapsed', reason: d.reason };
  }
  return null;
}

/** The groups SCIM manages (their names), read under the vote's lock. */
async function committedDirectory(client: pg.ClientBase): Promise<ReadonlySet<string>> {
  const names = await client.query('SELECT display_name FROM scim_groups');
  return new Set(names.rows.map((g) => String(g.display_name)));
}

/**
 * Whether the committed directory places the reviewer of an approval among the request's approvers
 * (SCIM may have taken them out of the approver group), read under the same lock.
 */
async function byDirectory(
  client: pg.ClientBase,
  record: ApprovalRecord,
  d: VoteDependency,
  managed: ReadonlySet<string>,
): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT g.display_name FROM scim_groups g JOIN scim_members m ON m.group_id = g.id
       JOIN scim_users u ON u.id = m.user_id WHERE u.user_name_key = $1`,
    [subjectKey(d.identity.subject)],
  );
  const given = rows.map((g) => String(g.display_name));
  return approverByDirectory(record.approvers, d.identity, { managed, given });
}

/** Disabled as AccessState reads it: listed as disabled (any kind), or a person SCIM marked inactive. */
async function isDisabled(client: pg.ClientBase, identity: Identity): Promise<boolean> {
  const { key, person } = disabledLookup(identity);
  const { rows } = await client.query(
    `SELECT EXISTS (SELECT 1 FROM disabled_identities WHERE translate(subject, $2, $3) = $1)
         OR ($4 AND EXISTS (SELECT 1 FROM scim_users WHERE user_name_key = $1 AND NOT active)) AS off`,
    [key, ASCII_UPPER, ASCII_UPPER.toLowerCase(), person],
  );
  return (rows[0] as { off: boolean }).off;
}

async function insertVote(client: pg.ClientBase, approvalId: string, vote: ApprovalVote): Promise<void> {
  await client.query(
    `INSERT INTO approval_votes (approval_id, reviewer_subject, reviewer, decision, reason, at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [approvalId, vote.reviewer.subject, JSON.stringify(vote.reviewer), vote.decision, vote.reason, vote.at],
  );
}

async function readApproval(client: pg.ClientBase, id: string): Promise<ApprovalRecord | null> {
  const row = (await client.query('SELECT * FROM approvals WHERE id = $1', [id])).rows[0] as
    | ApprovalRow
    | undefined;
  return row ? approvalOf(row, (await votesOf(client, [id])).get(id) ?? []) : null;
}

/** Votes of these requests in the order they were cast (time, then insertion). */
async function votesOf(client: pg.ClientBase, ids: readonly string[]): Promise<Map<string, ApprovalVote[]>> {
  const byApproval = new Map<string, ApprovalVote[]>();
  if (ids.length === 0) return byApproval;
  const { rows } = await client.query(
    `SELECT approval_id, reviewer, decision, reason, at FROM approval_votes
      WHERE approval_id = ANY($1::text[]) ORDER BY at, ord`,
    [[...ids]],
  );
  for (const row of rows as VoteRow[]) {
    const list = byApproval.get(row.approval_id) ?? [];
    list.push(voteOf(row));
    byApproval.set(row.approval_id, list);
  }
  return byApproval;
}
