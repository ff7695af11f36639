// A PostgreSQL cancel through Vigil is on record before the server gets it: node-postgres cancels
// `SELECT pg_sleep(30)` from a second connection with the key Vigil handed out, and the session it
// cancels holds a db.cancel before the statement's 57014 result (so a cancel is told from a
// server-side timeout), which vigil verify, export, replay, tracing and the SIEM classification
// read. With the ledger unwritable the cancel never reaches the server (fail closed) unless the
// operator chose fail-open; a key that matches no session is never forwarded; a cancel still
// withdraws a statement held for review, and its record says so.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { StoredEvent } from '../../src/core/events.js';
import { ecsClassification } from '../../src/siem/ecs-classification.js';
import { planSessionTrace } from '../../src/tracing/session-plan.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';
import { cancel as rawCancel } from './raw-client.js';

const REVIEW_CONTRACTOR_WRITES = {
  policy: {
    rules: [
      {
        name: 'review-contractor-writes',
        match: { connections: ['pg'], principals: ['group:contractors'], statement_kinds: ['INSERT'] },
        action: 'review',
        review: { approvers: ['group:security'], required: 1, timeout: '60s' },
      },
    ],
  },
};

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_cancel_record', {}, {}, REVIEW_CONTRACTOR_WRITES);
  const direct = directClient(f);
  await direct.connect();
  await direct.query('CREATE TABLE IF NOT EXISTS t (id int)');
  await direct.end();
});
after(() => f.close());

/** node-postgres's own cancel: a second connection sending CancelRequest with the client's key. */
function pgCancel(fixture: PgFixture, client: pg.Client): void {
  const canceller = new (pg.Client as unknown as new (o: object) => { cancel(c: unknown, q: unknown): void })(
    {
      host: fixture.host,
      port: fixture.port,
    },
  );
  canceller.cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
}

/** Waits until the server runs the application's sleep (read directly, not through Vigil). */
async function sleepRunning(fixture: PgFixture, app: string): Promise<void> {
  const direct = directClient(fixture);
  await direct.connect();
  try {
    for (let i = 0; i < 400; i++) {
      const { rows } = await direct.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
        [app],
      );
      if (rows.length > 0) return;
      await sleep(25);
    }
    throw new Error(`the sleep of ${app} never ran`);
  } finally {
    await direct.end();
  }
}

async function sessionOf(fixture: PgFixture, app: string): Promise<StoredEvent[]> {
  const events = await pgEvents(fixture);
  const start = events.find((e) => e.type === 'session.start' && e.payload?.application_name === app);
  assert.ok(start, `no session recorded for ${app}`);
  return events.filter((e) => e.sessionId === start.sessionId);
}

test('a cancel is recorded in the session it cancels, before the statement fails with 57014', async () => {
  const app = 'cancel-recorded';
  const client = vigilClient(f, TOKENS.alice, { application_name: app });
  await client.connect();
  try {
    const slow = client.query('SELECT pg_sleep(30)');
    await sleepRunning(f, app);
    pgCancel(f, client);
    await assert.rejects(slow, { code: '57014' });
  } finally {
    await client.end();
  }
  const events = await sessionOf(f, app);
  const query = events.find((e) => e.type === 'db.query' && e.payload?.statement === 'SELECT pg_sleep(30)');
  const cancelled = events.find((e) => e.type === 'db.cancel');
  const result = events.find((e) => e.type === 'db.result' && e.payload?.sqlstate === '57014');
  assert.ok(query && cancelled && result, events.map((e) => e.type).join(', '));
  assert.ok(
    query.seq < cancelled.seq && cancelled.seq < result.seq,
    'query, then the cancel, then its result',
  );
  assert.ok(cancelled.index < result.index, 'committed before the result, in the global log too');
  assert.equal(cancelled.identity.subject, 'alice', 'attributed to the session it cancels');
  assert.equal(cancelled.connection, 'pg');
  assert.equal(cancelled.payload?.in_flight, true);
  assert.equal(cancelled.payload?.held, false);
  assert.equal(cancelled.payload?.peer, '127.0.0.1', 'the address the cancel came from');
  assert.equal(ecsClassification('db.cancel', cancelled.payload).category[0], 'database');
  // Tracing: the cancel is an event on the span of the statement it stopped.
  const statementSpan = planSessionTrace(events, { content: false })!.spans.find(
    (s) => s.key === `event:${query.seq}`,
  );
  assert.deepEqual(
    statementSpan?.events.map((e) => e.name),
    ['vigil.db.cancel'],
  );

  // vigil verify, replay and export read it like any other event.
  await assertLedgerVerifies(f.gateway);
  const replay = await runCli(['--data', f.gateway.dataDir, 'replay', cancelled.sessionId]);
  assert.equal(replay.code, 0, replay.stderr);
  const lines = replay.stdout.split('\n');
  const cancelLine = lines.findIndex(
    (l) => l.includes('CANCEL requested') && l.includes('statement running'),
  );
  const errorLine = lines.findIndex((l) => l.includes('ERROR 57014'));
  assert.ok(cancelLine > 0 && cancelLine < errorLine, replay.stdout);
  const bundle = join(f.gateway.dataDir, 'cancel.bundle.json');
  const exported = await runCli(['--data', f.gateway.dataDir, 'export', cancelled.sessionId, '-o', bundle]);
  assert.equal(exported.code, 0, exported.stderr);
  const checked = await runCli(['verify', '--bundle', bundle]);
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
});

test('a cancel with a wrong secret or an unknown key never reaches the server and is not recorded', async () => {
  const app = 'cancel-unknown-key';
  const client = vigilClient(f, TOKENS.alice, { application_name: app });
  await client.connect();
  try {
    const slow = client.query('SELECT pg_sleep(2)');
    await sleepRunning(f, app);
    const key = client as unknown as { processID: number; secretKey: number };
    await rawCancel(f.host, f.port, key.processID, (key.secretKey + 1) | 0);
    await rawCancel(f.host, f.port, (key.processID % 0x7ffffffe) + 1, key.secretKey);
    const { rows } = await slow;
    assert.equal(rows.length, 1, 'the statement ran to its end');
  } finally {
    await client.end();
  }
  assert.equal((await sessionOf(f, app)).filter((e) => e.type === 'db.cancel').length, 0);
});

test('a cancel withdraws a statement held for review, and its record says it was held', async () => {
  const app = 'cancel-held';
  const client = vigilClient(f, TOKENS.bob, { user: 'bob', application_name: app });
  await client.connect();
  try {
    const insert = client.query('INSERT INTO t VALUES (42)');
    const sessionId = (await sessionOf(f, app))[0]!.sessionId;
    let held: string | undefined;
    for (let i = 0; i < 400 && !held; i++) {
      const pending = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
      held = pending.find((r) => r.sessionId === sessionId)?.id;
      if (!held) await sleep(25);
    }
    assert.ok(held, 'the INSERT is held for review');
    pgCancel(f, client);
    await assert.rejects(insert, { code: '57014' });
    assert.equal((await f.gateway.store.approvals.getApproval(held))?.status, 'withdrawn');
  } finally {
    await client.end();
  }
  const events = await sessionOf(f, app);
  const cancelled = events.find((e) => e.type === 'db.cancel');
  const decided = events.find((e) => e.type === 'approval.decided');
  assert.ok(cancelled && decided, events.map((e) => e.type).join(', '));
  assert.equal(cancelled.payload?.held, true);
  assert.ok(cancelled.seq < decided.seq, 'the cancel is on record before the withdrawal');
  const direct = directClient(f);
  await direct.connect();
  assert.equal((await direct.query('SELECT 1 FROM t WHERE id = 42')).rows.length, 0, 'the INSERT never ran');
  await direct.end();
});

for (const mode of ['fail-closed', 'fail-open'] as const) {
  test(`${mode}: with the ledger unwritable, the cancel ${mode === 'fail-closed' ? 'does not reach' : 'still reaches'} the server`, async () => {
    const g = await startPgFixture(
      `vigil_cancel_${mode.replace('-', '_')}`,
      {},
      {},
      { on_record_failure: mode },
    );
    const app = `cancel-${mode}`;
    const client = vigilClient(g, TOKENS.alice, { application_name: app });
    try {
      await client.connect();
      const slow = client.query('SELECT pg_sleep(2)');
      await sleepRunning(g, app);
      sqliteDatabase(g.gateway.store).close();
      pgCancel(g, client);
      if (mode === 'fail-closed') {
        const { rows } = await slow;
        assert.equal(
          rows.length,
          1,
          'the statement kept running to its end: the server never got the cancel',
        );
      } else {
        await assert.rejects(slow, { code: '57014' });
      }
    } finally {
      await client.end().catch(() => undefined);
      await g.close().catch(() => undefined);
    }
  });
}
