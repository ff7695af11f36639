// What only the SQLite approval store has to prove: the decided record is read back from its row,
// its migrations keep older rows, and connections to one file (threads, replicas) never exceed the
// required votes. The contract every store meets is in test/store/conformance-approvals.ts.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { approval, at, vote } from '../../../test/store/conformance-support.js';
import { actionDigest } from '../../core/action-digest.js';
import type { ApprovalVote } from '../../core/ports.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { SqliteStoreBundle } from './sqlite-store-bundle.js';

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'vigil-approvals-')), 'vigil.db');
}

function openStore(path = freshPath()): SqliteStoreBundle {
  return new SqliteStoreBundle(path, { appendInWorker: false });
}

test('a decided record is read back from its row: a digest changed underneath is what the vote returns', async () => {
  const store = openStore();
  const digest = actionDigest(['DELETE FROM t WHERE id = $1', '7']);
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
  .then(async ({ SqliteStoreBundle }) => {
    const store = new SqliteStoreBundle(workerData.path, { appendInWorker: false });
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
      store: new URL('./sqlite-store-bundle.ts', import.meta.url).href,
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
