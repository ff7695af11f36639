import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  runClient,
  startPgFixture,
  statementsOf,
} from './pg-gateway.js';

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_psql', {
    guardrails: { deny_statements: ['DROP'], deny_unbounded_writes: true },
    record_rows: 2,
  });
});
after(() => f.close());

test('psql -c runs through Vigil and is recorded with its result', async () => {
  const run = await runClient('psql', ['-X', '-A', '-t', '-c', 'select 40 + 2 as answer'], f, TOKENS.alice);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout.trim(), '42');
  const events = await pgEvents(f);
  const query = events.find(
    (e) => e.type === 'db.query' && e.payload?.statement === 'select 40 + 2 as answer',
  );
  assert.ok(query);
  const result = events.find((e) => e.sessionId === query.sessionId && e.type === 'db.result');
  assert.equal(result?.payload?.command_tag, 'SELECT 1');
  assert.deepEqual(result?.payload?.columns, ['answer']);
  assert.deepEqual(result?.payload?.rows, [['42']]);
});

test('a psql script of several statements: every statement in order; DROP and unbounded DELETE denied', async () => {
  const script = [
    'create table t (id int primary key, v text);',
    "insert into t (id, v) values (1, 'a'), (2, 'b'), (3, 'c');",
    'delete from t;',
    'delete from t where id = 1;',
    'drop table t;',
    'select count(*) from t;',
  ].join('\n');
  const run = await runClient('psql', ['-X', '-A', '-t', '-f', '-'], f, TOKENS.alice, script);
  assert.match(run.stderr, /deny_unbounded_writes/);
  assert.match(run.stderr, /deny_statements:DROP/);
  assert.equal(run.stdout.trim().split('\n').at(-1), '2');
  const direct = directClient(f);
  await direct.connect();
  const { rows } = await direct.query('select id from t order by id');
  await direct.end();
  assert.deepEqual(
    rows.map((r) => r.id),
    [2, 3],
  );
  const events = await pgEvents(f);
  const statements = statementsOf(events);
  const idx = statements.indexOf('create table t (id int primary key, v text);');
  assert.deepEqual(statements.slice(idx), script.split('\n'));
  const denials = events.filter((e) => e.type === 'policy.decision').map((e) => e.payload?.rule);
  assert.deepEqual(denials, ['deny_unbounded_writes', 'deny_statements:DROP']);
});

test('a wrong token is refused with 28P01 and recorded', async () => {
  const run = await runClient('psql', ['-X', '-c', 'select 1'], f, 'not-a-token');
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /vigil:/);
  const events = await pgEvents(f);
  assert.ok(events.some((e) => e.type === 'access.denied'));
});
