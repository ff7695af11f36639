// DDL sent through dblink: `SELECT dblink_exec('dbname=app', 'DROP TABLE t')` reads as a SELECT,
// but the server drops the table (dblink runs the text in a session of its own). A read-only or
// strict connection refuses every dblink call; a connection judged by policy rules alone, such as
// one where DDL needs approval, must see the DROP in the text. Through the gateway, against the
// real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { withPassword } from '../support/postgres-server.js';
import { type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;
const { direct, resetTable, rowIds } = truthfulRecordHelpers(() => f);

before(async () => {
  f = await startPgFixture(
    'vigil_attacker_sql_dblink',
    {},
    {},
    {
      policy: {
        rules: [
          {
            name: 'ddl-needs-review',
            match: { statement_kinds: ['DROP', 'TRUNCATE', 'ALTER', 'CREATE'] },
            action: 'deny',
            reason: 'schema changes go through review',
          },
        ],
      },
    },
  );
  await direct((d) => d.query('create extension if not exists dblink'));
});
after(() => f.close());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: { code?: string; message: string }) => err,
  );

test('DDL in the text of a dblink call meets the rules on DDL', async () => {
  await resetTable();
  const target = withPassword(f.directUrl, f.server.password).replaceAll("'", "''");
  const c = vigilClient(f, undefined, { application_name: 'attacker-sql-dblink' });
  await c.connect();
  try {
    for (const sql of [
      `SELECT dblink_exec('${target}', 'DROP TABLE t')`,
      `SELECT public.dblink_exec('${target}', 'TRUNCATE t', true)`,
      `SELECT * FROM dblink('${target}', 'ALTER TABLE t RENAME TO gone') AS r(x text)`,
    ]) {
      const err = await failure(c.query(sql));
      assert.equal(err?.code, '42501', `${sql}: denied, not run (${err?.message ?? 'it ran'})`);
      assert.match(err?.message ?? '', /ddl-needs-review/, sql);
      assert.deepEqual(await rowIds(), [1, 2], `${sql}: t is untouched`);
    }
    // dblink that only reads still runs.
    const read = await c.query(
      `SELECT * FROM dblink('${target}', 'SELECT id FROM t ORDER BY id') AS r(id int)`,
    );
    assert.deepEqual(
      read.rows.map((r) => r.id),
      [1, 2],
    );
  } finally {
    await c.end();
  }
});
