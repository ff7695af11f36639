import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { actionDigest } from '../../core/action-digest.js';
import type { ApprovalRecord, ApprovalStatus, ApprovalVote, GrantRecord } from '../../core/ports.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'vigil-approvals-')), 'vigil.db');
}

function openStore(path = freshPath()): SqliteStore {
  return new SqliteStore(path, { appendInWorker: false });
}

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

function approval(id: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id,
    kind: 'action',
    status: 'pending',
    requester: { subject: 'alice', kind: 'user', groups: ['dev'] },
    connection: 'prod-db',
    sessionId: `session-${id}`,
    rule: 'hold-deletes',
    reason: 'DELETE without WHERE',
    subject: { type: 'db.query', payload: { sql: 'DELETE FROM t' } },
    approvers: ['group:dba', 'user:carol'],
    required: 1,
    createdAt: at(0),
    expiresAt: at(60_000),
    decidedAt: null,
    votes: [],
    actionDigest: null,
    ...overrides,
  };
}

function vote(subject: string, decision: 'approve' | 'deny', ms: number): ApprovalVote {
  return {
    reviewer: { subject, kind: 'user', groups: ['dba'] },
    decision,
    reason: `${decision} by ${subject}`,
    at: at(ms),
  };
}

function grant(id: string, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id,
    subject: 'alice',
    connection: 'prod-db',
    approvalId: `a-${id}`,
    breakGlass: false,
    reason: 'incident 42',
    createdAt: at(0),
    expiresAt: at(3_600_000),
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  };
}

test('an approval round-trips through create and get; unknown ids are null', async () => {
  const store = openStore();
  const record = approval('a1', { rule: null, kind: 'access', required: 2 });
  await store.approvals.createApproval(record);
  assert.deepEqual(await store.approvals.getApproval('a1'), record);
  assert.equal(await store.approvals.getApproval('nope'), null);
  await store.close();
});

test('a held action keeps its digest through create, list and the vote that decides it', async () => {
  const store = openStore();
  const digest = actionDigest(['DELETE FROM t WHERE id = $1', '7']);
  await store.approvals.createApproval(approval('held', { actionDigest: digest, required: 2 }));
  await store.approvals.createApproval(approval('bare'));
  assert.equal((await store.approvals.getApproval('held'))?.actionDigest, digest);
  assert.equal((await store.approvals.getApproval('bare'))?.actionDigest, null);
  assert.deepEqual((await store.approvals.listApprovals()).map((r) => [r.id, r.actionDigest]).sort(), [
    ['bare', null],
    ['held', digest],
  ]);
  await store.approvals.addVote('held', vote('carol', 'approve', 1));
  const decided = await store.approvals.addVote('held', vote('dave', 'approve', 2));
  assert.ok(decided.outcome === 'recorded');
  assert.equal(decided.record.status, 'approved');
  assert.equal(decided.record.actionDigest, digest, 'the decided record is read back with its digest');

  // The decided record comes from the row, not from what was passed in: a row changed underneath is seen.
  await store.approvals.createApproval(approval('swapped', { actionDigest: digest }));
  const other = actionDigest(['DROP TABLE t']);
  store.database.prepare('UPDATE approvals SET action_digest = ? WHERE id = ?').run(other, 'swapped');
  const swapped = await store.approvals.addVote('swapped', vote('carol', 'approve', 3));
  assert.ok(swapped.outcome === 'recorded');
  assert.equal(swapped.record.actionDigest, other);
  await store.close();
});

test('the action_digest migration keeps requests stored before it, without a digest', async () => {
  const path = freshPath();
  // A database as the release before the digest left it: the first three migrations only.
  const old = new Database(path);
  old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  SQLITE_MIGRATIONS.slice(0, 3).forEach((sql, i) => {
    old.exec(sql);
    old.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, at(0));
  });
  old
    .prepare(
      `INSERT INTO approvals (id, kind, status, requester, connection, session_id, rule, reason, subject,
       approvers, required, created_at, expires_at, decided_at) VALUES (?, 'action', 'pending', ?, 'prod-db',
       's', 'hold-deletes', 'r', '{}', '["user:carol"]', 1, ?, ?, NULL)`,
    )
    .run('legacy', JSON.stringify({ subject: 'alice', kind: 'user', groups: [] }), at(0), at(60_000));
  old.close();

  const store = openStore(path);
  const legacy = await store.approvals.getApproval('legacy');
  assert.equal(legacy?.status, 'pending');
  assert.equal(legacy?.actionDigest, null);
  const digest = actionDigest(['SELECT 1']);
  await store.approvals.createApproval(approval('fresh', { actionDigest: digest }));
  assert.equal((await store.approvals.getApproval('fresh'))?.actionDigest, digest);
  await store.close();
});

test('listApprovals is newest first, filters by status and kind, and limits (200 by default)', async () => {
  const store = openStore();
  const approvals = store.approvals;
  await approvals.createApproval(approval('old', { createdAt: at(1) }));
  await approvals.createApproval(approval('mid', { createdAt: at(2), kind: 'access' }));
  await approvals.createApproval(approval('new', { createdAt: at(3), kind: 'break-glass' }));
  await approvals.addVote('mid', vote('carol', 'approve', 10));

  assert.deepEqual(
    (await approvals.listApprovals()).map((r) => r.id),
    ['new', 'mid', 'old'],
  );
  assert.deepEqual(
    (await approvals.listApprovals({ status: 'pending' })).map((r) => r.id),
    ['new', 'old'],
  );
  assert.deepEqual(
    (await approvals.listApprovals({ kind: 'access' })).map((r) => [r.id, r.status, r.votes.length]),
    [['mid', 'approved', 1]],
  );
  assert.deepEqual(await approvals.listApprovals({ status: 'approved', kind: 'action' }), []);
  assert.deepEqual(
    (await approvals.listApprovals({ limit: 2 })).map((r) => r.id),
    ['new', 'mid'],
  );

  for (let i = 0; i < 205; i++)
    await approvals.createApproval(approval(`bulk-${i}`, { createdAt: at(100 + i) }));
  const listed = await approvals.listApprovals();
  assert.equal(listed.length, 200);
  assert.equal(listed[0]!.id, 'bulk-204');
  await store.close();
});

test('N-of-M: the required-th approve approves, earlier ones leave it pending; votes keep their order', async () => {
  const store = openStore();
  await store.approvals.createApproval(approval('a', { required: 3 }));

  const first = await store.approvals.addVote('a', vote('carol', 'approve', 30));
  assert.equal(first.outcome, 'recorded');
  assert.equal(first.outcome === 'recorded' && first.record.status, 'pending');
  assert.equal(first.outcome === 'recorded' && first.record.decidedAt, null);

  const second = await store.approvals.addVote('a', vote('dave', 'approve', 10));
  assert.equal(second.outcome === 'recorded' && second.record.status, 'pending');

  const third = await store.approvals.addVote('a', vote('erin', 'approve', 20));
  assert.ok(third.outcome === 'recorded');
  assert.equal(third.record.status, 'approved');
  assert.equal(third.record.decidedAt, at(20));
  assert.deepEqual(
    third.record.votes.map((v) => v.reviewer.subject),
    ['dave', 'erin', 'carol'],
    'ordered by time, not by arrival',
  );
  assert.deepEqual(third.record.votes[0], vote('dave', 'approve', 10));
  assert.deepEqual(await store.approvals.getApproval('a'), third.record);
  await store.close();
});

test('a single deny denies, even after approvals', async () => {
  const store = openStore();
  await store.approvals.createApproval(approval('a', { required: 3 }));
  await store.approvals.addVote('a', vote('carol', 'approve', 1));
  const denied = await store.approvals.addVote('a', vote('dave', 'deny', 2));
  assert.ok(denied.outcome === 'recorded');
  assert.equal(denied.record.status, 'denied');
  assert.equal(denied.record.decidedAt, at(2));
  assert.deepEqual(
    denied.record.votes.map((v) => v.decision),
    ['approve', 'deny'],
  );
  await store.close();
});

test('a reviewer votes once; votes on closed or unknown requests are refused and not stored', async () => {
  const store = openStore();
  await store.approvals.createApproval(approval('a', { required: 2 }));
  await store.approvals.addVote('a', vote('carol', 'approve', 1));
  assert.deepEqual(await store.approvals.addVote('a', vote('carol', 'approve', 2)), { outcome: 'duplicate' });
  assert.deepEqual(await store.approvals.addVote('a', vote('carol', 'deny', 3)), { outcome: 'duplicate' });
  assert.equal((await store.approvals.getApproval('a'))?.status, 'pending');

  await store.approvals.addVote('a', vote('dave', 'approve', 4));
  assert.deepEqual(await store.approvals.addVote('a', vote('erin', 'deny', 5)), { outcome: 'closed' });
  const after = await store.approvals.getApproval('a');
  assert.equal(after?.status, 'approved');
  assert.equal(after?.votes.length, 2);

  assert.deepEqual(await store.approvals.addVote('missing', vote('carol', 'approve', 6)), {
    outcome: 'unknown',
  });
  await store.close();
});

test('closeApproval only closes a pending request', async () => {
  const store = openStore();
  await store.approvals.createApproval(approval('a'));
  await store.approvals.createApproval(approval('b'));
  assert.equal(await store.approvals.closeApproval('a', 'expired', at(5)), true);
  assert.equal(await store.approvals.closeApproval('a', 'withdrawn', at(6)), false);
  const closed = await store.approvals.getApproval('a');
  assert.equal(closed?.status, 'expired');
  assert.equal(closed?.decidedAt, at(5));
  assert.deepEqual(await store.approvals.addVote('a', vote('carol', 'approve', 7)), { outcome: 'closed' });

  await store.approvals.addVote('b', vote('carol', 'approve', 8));
  assert.equal(await store.approvals.closeApproval('b', 'expired', at(9)), false);
  assert.equal((await store.approvals.getApproval('b'))?.status, 'approved');
  assert.equal((await store.approvals.getApproval('b'))?.decidedAt, at(8));

  assert.equal(await store.approvals.closeApproval('missing', 'expired', at(10)), false);
  await store.close();
});

test('approvalStatuses reports known ids only', async () => {
  const store = openStore();
  await store.approvals.createApproval(approval('a'));
  await store.approvals.createApproval(approval('b'));
  await store.approvals.closeApproval('b', 'withdrawn', at(1));
  assert.deepEqual(
    await store.approvals.approvalStatuses(['a', 'b', 'zzz']),
    new Map<string, ApprovalStatus>([
      ['a', 'pending'],
      ['b', 'withdrawn'],
    ]),
  );
  assert.deepEqual(await store.approvals.approvalStatuses([]), new Map());
  await store.close();
});

test('grants: round trip, active filtering, subject and connection filters, revocation, version', async () => {
  const store = openStore();
  const approvals = store.approvals;
  const v0 = await approvals.grantsVersion();

  const active = grant('g-active', { createdAt: at(3) });
  const expired = grant('g-expired', { createdAt: at(1), expiresAt: at(50) });
  const other = grant('g-other', {
    createdAt: at(2),
    subject: 'bob',
    connection: 'ssh-bastion',
    approvalId: null,
    breakGlass: true,
  });
  for (const g of [active, expired, other]) await approvals.createGrant(g);
  assert.equal(await approvals.grantsVersion(), v0 + 3);

  assert.deepEqual(await approvals.getGrant('g-other'), other);
  assert.equal(await approvals.getGrant('missing'), null);
  assert.deepEqual(
    (await approvals.listGrants()).map((g) => g.id),
    ['g-active', 'g-other', 'g-expired'],
  );
  assert.deepEqual(
    (await approvals.listGrants({ activeAt: at(100) })).map((g) => g.id),
    ['g-active', 'g-other'],
  );
  assert.deepEqual(
    (await approvals.listGrants({ activeAt: at(50) })).map((g) => g.id),
    ['g-active', 'g-other'],
    'a grant is no longer active at its expiry instant',
  );
  assert.deepEqual(
    (await approvals.listGrants({ subject: 'alice' })).map((g) => g.id),
    ['g-active', 'g-expired'],
  );
  assert.deepEqual(
    (await approvals.listGrants({ subject: 'bob', connection: 'ssh-bastion' })).map((g) => g.id),
    ['g-other'],
  );
  assert.deepEqual(await approvals.listGrants({ subject: 'bob', connection: 'prod-db' }), []);

  assert.equal(await approvals.revokeGrant('g-active', at(200), 'carol'), true);
  assert.equal(await approvals.grantsVersion(), v0 + 4);
  assert.equal(await approvals.revokeGrant('g-active', at(300), 'dave'), false);
  assert.equal(await approvals.revokeGrant('missing', at(300), 'dave'), false);
  assert.equal(await approvals.grantsVersion(), v0 + 4, 'a refused revocation changes nothing');

  const revoked = await approvals.getGrant('g-active');
  assert.equal(revoked?.revokedAt, at(200));
  assert.equal(revoked?.revokedBy, 'carol');
  assert.deepEqual(
    (await approvals.listGrants({ activeAt: at(100) })).map((g) => g.id),
    ['g-other'],
  );
  await store.close();
});

test('two connections to one file share approvals and never exceed the required votes', async () => {
  const path = freshPath();
  const a = openStore(path);
  const b = openStore(path);
  await a.approvals.createApproval(approval('race', { required: 3 }));
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? a : b).approvals.addVote('race', vote(`reviewer-${i}`, 'approve', i)),
    ),
  );
  assert.equal(results.filter((r) => r.outcome === 'recorded').length, 3);
  assert.equal(results.filter((r) => r.outcome === 'closed').length, 7);
  const seenByA = await a.approvals.getApproval('race');
  assert.deepEqual(seenByA, await b.approvals.getApproval('race'));
  assert.equal(seenByA?.status, 'approved');
  assert.equal(seenByA?.votes.length, 3);
  await a.close();
  await b.close();
});

/**
 * Each worker thread opens its own store (its own connection) and votes as fast as it can, so the
 * transactions of different connections really overlap.
 */
const VOTER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then((api) => { api.register(); return import(workerData.store); })
  .then(async ({ SqliteStore }) => {
    const store = new SqliteStore(workerData.path, { appendInWorker: false });
    parentPort.postMessage('ready');
    Atomics.wait(new Int32Array(workerData.gate), 0, 0);
    const outcomes = [];
    for (const [id, vote] of workerData.votes) {
      outcomes.push([id, (await store.approvals.addVote(id, vote)).outcome]);
    }
    await store.close();
    parentPort.postMessage(outcomes);
  });
`;

function startVoter(path: string, gate: SharedArrayBuffer, votes: [string, ApprovalVote][]) {
  const worker = new Worker(VOTER, {
    eval: true,
    workerData: {
      path,
      gate,
      votes,
      tsx: import.meta.resolve('tsx/esm/api'),
      store: new URL('./sqlite-store.ts', import.meta.url).href,
    },
  });
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    readyResolve = resolve;
  });
  const done = new Promise<[string, string][]>((resolve, reject) => {
    worker.on('message', (m: 'ready' | [string, string][]) => {
      if (m === 'ready') readyResolve();
      else resolve(m);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`voter exited (${code})`)));
  });
  return { ready, done };
}

test('votes racing from four threads: exactly `required` approvals, one denial at most, nothing lost', async () => {
  const path = freshPath();
  const store = openStore(path);
  const ids = Array.from({ length: 25 }, (_, i) => `race-${i}`);
  for (const id of ids) await store.approvals.createApproval(approval(id, { required: 3 }));

  const gate = new SharedArrayBuffer(4);
  const voters = Array.from({ length: 4 }, (_, w) => {
    const votes: [string, ApprovalVote][] = [];
    for (const id of ids) {
      // The fourth thread denies half of the requests, so denials race approvals too.
      for (let r = 0; r < 3; r++) {
        const decision = w === 3 && r === 0 && id.endsWith('1') ? 'deny' : 'approve';
        votes.push([id, vote(`t${w}-r${r}`, decision, w * 10 + r)]);
      }
    }
    return startVoter(path, gate, votes);
  });
  await Promise.all(voters.map((v) => v.ready));
  Atomics.store(new Int32Array(gate), 0, 1);
  Atomics.notify(new Int32Array(gate), 0);
  const outcomes = (await Promise.all(voters.map((v) => v.done))).flat();

  assert.equal(outcomes.length, ids.length * 12);
  for (const id of ids) {
    const record = (await store.approvals.getApproval(id))!;
    const mine = outcomes.filter(([i]) => i === id).map(([, o]) => o);
    const approves = record.votes.filter((v) => v.decision === 'approve').length;
    const denies = record.votes.filter((v) => v.decision === 'deny').length;
    assert.equal(mine.filter((o) => o === 'recorded').length, record.votes.length, id);
    assert.equal(mine.filter((o) => o === 'closed').length, 12 - record.votes.length, id);
    if (record.status === 'approved') assert.deepEqual([approves, denies], [3, 0], id);
    else {
      assert.equal(record.status, 'denied', id);
      assert.ok(id.endsWith('1'), `${id} had no deny vote`);
      assert.deepEqual([approves < 3, denies], [true, 1], id);
    }
  }
  await store.close();
});

type Step =
  | { readonly op: 'vote'; readonly reviewer: number; readonly decision: 'approve' | 'deny' }
  | { readonly op: 'close'; readonly status: 'expired' | 'withdrawn' };

/** The specification, as plainly as it can be written. */
function referenceModel(required: number, steps: readonly Step[]) {
  let status: ApprovalStatus = 'pending';
  const voted = new Set<number>();
  let approves = 0;
  const outcomes: string[] = [];
  for (const step of steps) {
    if (step.op === 'close') {
      outcomes.push(String(status === 'pending'));
      if (status === 'pending') status = step.status;
      continue;
    }
    if (status !== 'pending') outcomes.push('closed');
    else if (voted.has(step.reviewer)) outcomes.push('duplicate');
    else {
      outcomes.push('recorded');
      voted.add(step.reviewer);
      if (step.decision === 'deny') status = 'denied';
      else if (++approves >= required) status = 'approved';
    }
  }
  return { status, outcomes, votes: voted.size };
}

test('property: any sequence of votes and closes ends as the reference model says', async () => {
  const store = openStore();
  let run = 0;
  const stepArb: fc.Arbitrary<Step> = fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record({
        op: fc.constant('vote' as const),
        reviewer: fc.integer({ min: 0, max: 5 }),
        decision: fc.constantFrom('approve' as const, 'deny' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('close' as const),
        status: fc.constantFrom('expired' as const, 'withdrawn' as const),
      }),
    },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(stepArb, { maxLength: 12 }),
      async (required, steps) => {
        const id = `prop-${run++}`;
        await store.approvals.createApproval(approval(id, { required }));
        const outcomes: string[] = [];
        for (const [i, step] of steps.entries()) {
          if (step.op === 'close')
            outcomes.push(String(await store.approvals.closeApproval(id, step.status, at(i))));
          else {
            const result = await store.approvals.addVote(id, vote(`r${step.reviewer}`, step.decision, i));
            outcomes.push(result.outcome);
          }
        }
        const expected = referenceModel(required, steps);
        const record = (await store.approvals.getApproval(id))!;
        assert.deepEqual(outcomes, expected.outcomes);
        assert.equal(record.status, expected.status);
        assert.equal(record.votes.length, expected.votes);
        assert.equal(record.decidedAt === null, expected.status === 'pending');
      },
    ),
    { numRuns: 300 },
  );
  await store.close();
});
