// Writes made under another statement's name, as a way around the guards on UPDATE and DELETE:
// `REPLACE` deletes the rows it collides with and `INSERT … ON DUPLICATE KEY UPDATE` updates them,
// but both read as INSERT. Through the gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import type { StatementFacts } from '../../src/core/db-payloads.js';
import { adminConnection } from '../support/mariadb-server.js';
import { mysqlEvents, mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_implied', {
  connection: { guardrails: { deny_unbounded_writes: true } },
  settings: {
    policy: {
      rules: [
        {
          name: 'no-deletes-from-audit',
          match: { connections: ['my'], statement_kinds: ['DELETE'], tables: ['audit'] },
          action: 'deny',
        },
      ],
    },
  },
});

async function direct<T>(sql: string): Promise<T> {
  const admin = await adminConnection(f().server, f().database);
  try {
    return (await admin.query(sql))[0] as T;
  } finally {
    await admin.end();
  }
}

const rows = async (table: string) =>
  (await direct<{ id: number; v: number }[]>(`select id, v from ${table} order by id`)).map((r) => [
    r.id,
    r.v,
  ]);

test('REPLACE and ON DUPLICATE KEY UPDATE that can reach every row are unbounded writes; their DELETE meets the DELETE rules', {
  skip,
}, async () => {
  await direct(
    'drop table if exists items, audit; create table items (id int primary key, v int); insert into items values (1, 1), (2, 2); ' +
      "create table audit (id int primary key, v varchar(20)); insert into audit values (1, 'kept')",
  );
  const c = await mysql.createConnection({ ...vigilOptions(f()), multipleStatements: true });
  for (const [sql, rule] of [
    // Every row of items collides with itself and is rewritten, as `UPDATE items SET v = 0` would.
    ['REPLACE INTO items SELECT id, 0 FROM items', 'deny_unbounded_writes'],
    ['REPLACE items (id, v) SELECT id, 0 FROM items', 'deny_unbounded_writes'],
    ['INSERT INTO items SELECT id, 0 FROM items ON DUPLICATE KEY UPDATE v = 0', 'deny_unbounded_writes'],
    [
      'INSERT items (id, v) (SELECT id, 0 FROM items) ON DUPLICATE KEY UPDATE v = VALUES(v)',
      'deny_unbounded_writes',
    ],
    // Bounded, but a DELETE from audit all the same: the old row is gone, a new one in its place.
    ["REPLACE INTO audit VALUES (1, 'rewritten')", 'no-deletes-from-audit'],
    ["REPLACE INTO audit SET id = 1, v = 'rewritten'", 'no-deletes-from-audit'],
  ] as const) {
    await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
      assert.equal(e.errno, 1142, sql);
      assert.match(e.message, new RegExp(`denied by rule ${rule}`), sql);
      return true;
    });
  }
  assert.deepEqual(await rows('items'), [
    [1, 1],
    [2, 2],
  ]);
  assert.deepEqual(await rows('audit'), [[1, 'kept']]);
  // The rows it can collide with are the ones it lists: bounded, and recorded as the writes they are.
  await c.query('INSERT INTO items VALUES (2, 20), (3, 30) ON DUPLICATE KEY UPDATE v = VALUES(v)');
  await c.query('REPLACE INTO items VALUES (1, 10)');
  await c.end();
  assert.deepEqual(await rows('items'), [
    [1, 10],
    [2, 20],
    [3, 30],
  ]);
  const recorded = (sql: string) => {
    const event = events.find((e) => e.type === 'db.query' && e.payload?.statement === sql);
    const classification = event?.payload?.classification as { statements: StatementFacts[] } | undefined;
    const statements = classification?.statements ?? [];
    return statements.map((s) => [s.kind, s.hasWhere, s.nested, s.tables]);
  };
  const events = await mysqlEvents(f());
  assert.deepEqual(
    recorded('INSERT INTO items VALUES (2, 20), (3, 30) ON DUPLICATE KEY UPDATE v = VALUES(v)'),
    [
      ['INSERT', false, false, ['items']],
      ['UPDATE', true, true, ['items']],
      // Whether each key existed shows in the count: a read of items (exposed-tables.ts).
      ['SELECT', false, true, ['items']],
    ],
  );
  assert.deepEqual(recorded('REPLACE INTO items VALUES (1, 10)'), [
    ['INSERT', false, false, ['items']],
    ['DELETE', true, true, ['items']],
    ['SELECT', false, true, ['items']],
  ]);
});
