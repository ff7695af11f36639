// Writes made under another statement's name, as a way around the guards on UPDATE and DELETE:
// a MERGE's WHEN clauses update and delete rows, an upsert's DO UPDATE updates them, but their
// kinds are MERGE and INSERT. Through the gateway, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StatementFacts } from '../../src/core/db-payloads.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_attacker_merge',
    { guardrails: { preset: 'strict' } },
    {},
    {
      policy: {
        rules: [
          {
            name: 'no-deletes-from-t',
            match: { connections: ['pg'], statement_kinds: ['DELETE'], tables: ['t'] },
            action: 'deny',
          },
        ],
      },
    },
  );
});
after(() => f.close());

const { resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

test('a MERGE that deletes or updates every row is an unbounded write; its DELETE meets the DELETE rules', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-merge');
  assert.ok(c.loggedIn, c.login.codes);
  for (const [sql, rule] of [
    [
      'MERGE INTO t USING (SELECT 1 AS x) s ON true WHEN MATCHED THEN UPDATE SET id = id + 10',
      'strict:unbounded_write',
    ],
    ['MERGE INTO t USING (SELECT 1 AS x) s ON 1 = 1 WHEN MATCHED THEN DELETE', 'strict:unbounded_write'],
    // Bounded, but a DELETE from t all the same.
    ['MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE', 'no-deletes-from-t'],
  ] as const) {
    const reply = await c.query(sql);
    assert.deepEqual(
      reply.errors.map((e) => e.sqlstate),
      ['42501'],
      `${sql}: ${JSON.stringify(reply.errors)}`,
    );
    assert.match(reply.errors[0]?.message ?? '', new RegExp(`denied by rule ${rule}`), sql);
  }
  assert.deepEqual(await rowIds(), [1, 2]);
  // A bounded update goes through.
  const ok = await c.query(
    'MERGE INTO t USING (SELECT 2 AS id) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET id = 3',
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(await rowIds(), [1, 3]);
  c.end();
});

test('an upsert whose DO UPDATE can reach every row is an unbounded UPDATE; one of listed rows goes through', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-upsert');
  assert.ok(c.loggedIn, c.login.codes);
  for (const sql of [
    // Every row of t collides with itself: each is rewritten, as `UPDATE t SET id = id + 10` would.
    'INSERT INTO t SELECT id FROM t ON CONFLICT (id) DO UPDATE SET id = excluded.id + 10',
    'WITH s AS (SELECT id FROM t) INSERT INTO t SELECT id FROM s ON CONFLICT (id) DO UPDATE SET id = 0 WHERE true',
    'INSERT INTO t (SELECT id FROM t) ON CONFLICT ON CONSTRAINT t_pkey DO UPDATE SET id = excluded.id + 10',
  ]) {
    const reply = await c.query(sql);
    assert.deepEqual(
      reply.errors.map((e) => e.sqlstate),
      ['42501'],
      `${sql}: ${JSON.stringify(reply.errors)}`,
    );
    assert.match(reply.errors[0]?.message ?? '', /denied by rule strict:unbounded_write/, sql);
  }
  assert.deepEqual(await rowIds(), [1, 2]);
  // The rows it can collide with are the ones it lists: bounded, and recorded as the UPDATE it is.
  const ok = await c.query(
    'INSERT INTO t VALUES (2), (4) ON CONFLICT (id) DO UPDATE SET id = excluded.id + 10',
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(await rowIds(), [1, 4, 12]);
  // Without DO UPDATE nothing but the insert happens.
  const nothing = await c.query('INSERT INTO t SELECT id FROM t ON CONFLICT DO NOTHING');
  assert.deepEqual(nothing.errors, []);
  c.end();
  const upsert = (await pgEvents(f)).find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('INSERT INTO t VALUES (2)'),
  );
  const classification = upsert?.payload?.classification as { statements: StatementFacts[] } | undefined;
  const statements = classification?.statements ?? [];
  assert.deepEqual(
    statements.map((s) => [s.kind, s.hasWhere, s.nested, s.tables]),
    [
      ['INSERT', false, false, ['t']],
      ['UPDATE', true, true, ['t']],
      // Its conflicts quote the existing row: a read of its target (sql-facts-exposed.ts).
      ['SELECT', false, true, ['t']],
    ],
  );
});
