// A table name quoted with a dot inside (`` `vigil_dotted.invoices` `` is a table of that name in
// the current database, not invoices in vigil_dotted) against rules on a database. Through the
// gateway with mysql2, against a real MariaDB; the rows are checked on the server itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COM } from '../../src/protocols/mysql/constants.js';
import { confinedTablesPolicy } from '../support/confined-tables.js';
import { TOKENS } from '../support/gateway.js';
import { gatewayPort, mysqlEvents, mysqlFixtureForFile, rowCount, vigilOptions } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';
import { statementErrors } from './statement-errors.js';

const BILLING = 'vigil_dotted';
const OTHER = 'vigil_dotted_other';

const { skip, f } = mysqlFixtureForFile(BILLING, {
  settings: confinedTablesPolicy('my', `${BILLING}.*`),
  prepare: [
    'create table invoices (id int); insert into invoices values (1), (2)',
    'create table `x.y` (id int); insert into `x.y` values (1), (2)',
    `drop database if exists ${OTHER}; create database ${OTHER}; ` +
      `create table ${OTHER}.\`${BILLING}.invoices\` (secret text); ` +
      `insert into ${OTHER}.\`${BILLING}.invoices\` values ('not billing')`,
  ],
});

/** Runs each statement on one gateway connection opened on `database`; the error messages (null: it ran). */
async function throughVigil(
  user: 'alice' | 'bob',
  database: string,
  statements: readonly string[],
): Promise<(string | null)[]> {
  return statementErrors({ ...vigilOptions(f(), TOKENS[user]), user, database }, statements);
}

test('an allow rule on a database does not admit a quoted table name that reads like one of its tables', {
  skip,
}, async () => {
  const errors = await throughVigil('bob', OTHER, [
    `SELECT * FROM ${BILLING}.invoices`,
    `SELECT * FROM \`${BILLING}.invoices\``,
    `SELECT * FROM ${OTHER}.\`${BILLING}.invoices\``,
  ]);
  assert.equal(errors[0], null);
  assert.match(
    errors[1] ?? '',
    /denied by rule bob-nothing-else/,
    `a table named ${BILLING}.invoices in ${OTHER}`,
  );
  assert.match(errors[2] ?? '', /denied by rule bob-nothing-else/);
});

test('a deny rule on a database holds a quoted name with a dot that the current database puts there', {
  skip,
}, async () => {
  const cases: [string, string[]][] = [
    [BILLING, ['DELETE FROM `x.y`']],
    [OTHER, [`USE ${BILLING}`, 'DELETE FROM `x.y` WHERE id = 1']],
    [BILLING, ['DROP TABLE `x.y`']],
  ];
  for (const [database, statements] of cases) {
    const errors = await throughVigil('alice', database, statements);
    assert.match(errors.at(-1) ?? '', /denied by rule no-billing-deletes/, statements.join(' / '));
  }
  assert.equal(await rowCount(f(), '`x.y`'), 2);
});

test('the recorded table list shows a name with a dot inside quoted', { skip }, async () => {
  await throughVigil('alice', OTHER, [`SELECT count(*) FROM \`${BILLING}.invoices\``]);
  const tables = (await mysqlEvents(f()))
    .filter((e) => e.type === 'db.query')
    .flatMap(
      (e) =>
        (e.payload?.classification as { statements: { tables: string[] }[] } | undefined)?.statements ?? [],
    )
    .flatMap((s) => s.tables);
  assert.ok(tables.includes(`\`${BILLING}.invoices\``), JSON.stringify(tables));
});

test("COM_FIELD_LIST's table is one name too: bob lists no columns of another database's dotted table", {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(gatewayPort(f()));
  await c.login(OTHER, TOKENS.bob);
  c.command(COM.FIELD_LIST, Buffer.from(`${BILLING}.invoices\0`));
  const answer = await c.answer();
  c.socket.end();
  const first = answer[0]!.payload;
  assert.equal(first[0], 0xff, 'an error, not the column list');
  assert.match(first.toString('utf8'), /bob-nothing-else/);
});
