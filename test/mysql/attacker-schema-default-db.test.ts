// A rule on a database (`vigil_billing.*`) against a statement that names its table without the
// database and lets the server resolve it in the current one: a connection opened on it, USE, or
// the client's `use` command (COM_INIT_DB). Through the gateway with mysql2 and the mariadb client,
// against a real MariaDB; the rows are checked on the server itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confinedTablesPolicy } from '../support/confined-tables.js';
import { TOKENS } from '../support/gateway.js';
import { clientArgs, mysqlFixtureForFile, rowCount, runClient, vigilOptions } from './mysql-gateway.js';
import { statementErrors } from './statement-errors.js';

const BILLING = 'vigil_billing';
const OTHER = 'vigil_billing_other';

const { skip, f } = mysqlFixtureForFile(BILLING, {
  settings: confinedTablesPolicy('my', `${BILLING}.*`),
  prepare: [
    'create table invoices (id int); insert into invoices values (1), (2)',
    `drop database if exists ${OTHER}; create database ${OTHER}; create table ${OTHER}.scratch (id int); insert into ${OTHER}.scratch values (1)`,
  ],
});

/** Runs each statement on one gateway connection opened on `database`; the error messages (null: it ran). */
async function throughVigil(
  user: 'alice' | 'bob',
  database: string,
  statements: readonly string[],
): Promise<(string | null)[]> {
  return statementErrors(
    { ...vigilOptions(f(), TOKENS[user]), user, database, multipleStatements: true },
    statements,
  );
}

test('a deny rule on a database holds a DELETE whose table the current database puts there', {
  skip,
}, async () => {
  const cases: [string, string[]][] = [
    [BILLING, ['DELETE FROM invoices']],
    [BILLING, ['DELETE FROM invoices WHERE id = 1']],
    [BILLING, ['DROP TABLE invoices']],
    [OTHER, [`USE ${BILLING}`, 'DELETE FROM invoices']],
    [OTHER, [`USE ${BILLING}; DELETE FROM invoices`]],
    [OTHER, [`USE \`${BILLING}\``, 'DELETE FROM `invoices`']],
  ];
  for (const [database, statements] of cases) {
    const errors = await throughVigil('alice', database, statements);
    assert.match(
      errors.at(-1) ?? '',
      /denied by rule no-billing-deletes/,
      `${database}: ${statements.join(' / ')}`,
    );
  }
  assert.equal(await rowCount(f(), 'invoices'), 2);
});

test("the mariadb client's use command (COM_INIT_DB) does not carry a DELETE past the rule", {
  skip,
}, async () => {
  const run = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f())),
    OTHER,
    '-e',
    `use ${BILLING}\ndelete from invoices`,
  ]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /denied by rule no-billing-deletes/);
  assert.equal(await rowCount(f(), 'invoices'), 2);
});

test('a table named with another database is not held', { skip }, async () => {
  const errors = await throughVigil('alice', BILLING, [`DELETE FROM ${OTHER}.scratch`]);
  assert.deepEqual(errors, [null]);
});

test('an allow rule on a database admits only names written in it, in its case', { skip }, async () => {
  const errors = await throughVigil('bob', BILLING, [
    `SELECT count(*) FROM ${BILLING}.invoices`,
    'SELECT count(*) FROM invoices',
    `SELECT count(*) FROM ${BILLING.toUpperCase()}.invoices`,
  ]);
  assert.equal(errors[0], null);
  assert.match(errors[1] ?? '', /denied by rule bob-nothing-else/, 'unqualified: any database');
  assert.match(errors[2] ?? '', /denied by rule bob-nothing-else/, 'another database where names keep case');
});
