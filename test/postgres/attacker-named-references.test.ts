// Statements run by name from SQL: `EXECUTE s` runs a prepared statement and `FETCH`/`MOVE` run a
// portal, and both namespaces are shared with the protocol's Parse and Bind, whose text Vigil
// judges only at an Execute message. A statement parsed or bound through the protocol and then
// run by name from SQL must be judged (and recorded) as the text the server runs, not as `EXECUTE
// s`. Through the gateway (strict preset), against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { type PgFixture, pgEvents, runClient, startPgFixture } from './pg-gateway.js';
import { fe, type RawPgClient, type Reply } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_references', { guardrails: { preset: 'strict' } });
});
after(() => f.close());

const { resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

function assertRefused(reply: Reply, what: string): void {
  assert.deepEqual(
    reply.errors.map((e) => e.sqlstate),
    ['42501'],
    `${what}: ${JSON.stringify(reply.errors)} rows ${JSON.stringify(reply.rows)}`,
  );
}

async function batch(c: RawPgClient, ...messages: Buffer[]): Promise<Reply> {
  c.send(...messages, fe.sync());
  return c.readUntilReady(1);
}

test('EXECUTE of a statement parsed through the protocol is judged as its text', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-sql-execute');
  assert.ok(c.loggedIn, c.login.codes);
  assert.deepEqual((await batch(c, fe.parse('s', 'DELETE FROM t'))).errors, []);
  assertRefused(await c.query('EXECUTE s'), 'EXECUTE s');
  assertRefused(await c.query('EXPLAIN ANALYZE EXECUTE s'), 'EXPLAIN ANALYZE EXECUTE s');
  assertRefused(await c.query('CREATE TABLE copy_of_t AS EXECUTE s'), 'CREATE TABLE AS EXECUTE s');
  // The same through the extended protocol: a Parse of `EXECUTE s`, bound and executed.
  assertRefused(
    await batch(c, fe.parse('', 'EXECUTE s'), fe.bind('', ''), fe.execute('')),
    'Execute of EXECUTE s',
  );
  assert.deepEqual(await rowIds(), [1, 2], 'the DELETE never ran');
  // A statement the server never confirmed is no statement Vigil can judge.
  assertRefused(await c.query('EXECUTE nobody_prepared_this'), 'EXECUTE of an unknown name');
  // Harmless ones run, whichever way they were prepared.
  assert.deepEqual((await batch(c, fe.parse('one', 'SELECT 1'))).errors, []);
  assert.deepEqual((await c.query('EXECUTE one')).rows, [['1']]);
  assert.deepEqual((await c.query('PREPARE two AS SELECT 2; EXECUTE two')).rows, [['2']]);
  assert.deepEqual((await c.query('EXECUTE two')).rows, [['2']]);
  c.end();
  const recorded = (await pgEvents(f)).filter(
    (e) => e.type === 'db.query' && e.payload?.statement === 'EXECUTE s',
  );
  assert.ok(recorded.length > 0);
});

test('FETCH and MOVE of a portal bound through the protocol are judged as its text', async () => {
  await resetTable();
  const c = await login('alice', 'attacker-sql-fetch');
  assert.ok(c.loggedIn, c.login.codes);
  assert.deepEqual((await c.query('BEGIN')).errors, []);
  const bound = await batch(c, fe.parse('d', 'DELETE FROM t RETURNING id'), fe.bind('c', 'd'));
  assert.deepEqual(bound.errors, []);
  assertRefused(await c.query('FETCH ALL FROM c'), 'FETCH ALL FROM c');
  await c.query('ROLLBACK');

  // A portal Vigil forgot (a DECLARE makes it forget them all) is still the server's.
  assert.deepEqual((await c.query('BEGIN')).errors, []);
  assert.deepEqual((await batch(c, fe.bind('c', 'd'))).errors, []);
  assert.deepEqual((await c.query('DECLARE x CURSOR FOR SELECT 1')).errors, []);
  assertRefused(await c.query('MOVE ALL IN c'), 'MOVE ALL IN c');
  await c.query('ROLLBACK');
  assert.deepEqual(await rowIds(), [1, 2], 'the DELETE never ran');

  // Cursors declared in SQL were judged when declared, and fetch as before.
  assert.deepEqual((await c.query('BEGIN')).errors, []);
  assert.deepEqual((await c.query('DECLARE cur CURSOR FOR SELECT id FROM t ORDER BY id')).errors, []);
  assert.deepEqual((await c.query('FETCH ALL FROM cur')).rows, [['1'], ['2']]);
  assert.deepEqual(
    (await c.query('DECLARE "Cur 2" CURSOR WITH HOLD FOR SELECT 3; FETCH 1 FROM "Cur 2"')).rows,
    [['3']],
  );
  await c.query('COMMIT');
  assert.deepEqual((await c.query('FETCH ALL FROM "Cur 2"')).errors, []);
  c.end();
});

test("psql's FETCH_COUNT (DECLARE, then FETCH in another Query) works through Vigil", async () => {
  await resetTable();
  const run = await runClient(
    'psql',
    ['-X', '-At', '-v', 'FETCH_COUNT=1', '-c', 'SELECT id FROM t ORDER BY id'],
    f,
    TOKENS.alice,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), ['1', '2']);
});
