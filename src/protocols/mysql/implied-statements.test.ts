import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { factsOf } from './query-payloads.js';
import { classifyUncached } from './sql-classifier.js';

const writes = (sql: string) =>
  factsOf(classifyUncached(sql).statements)
    .filter((s) => s.nested && s.writes)
    .map((s) => [s.kind, s.hasWhere, s.tables]);

test('REPLACE is a nested DELETE and ON DUPLICATE KEY UPDATE a nested UPDATE, on the target', () => {
  assert.deepEqual(writes('replace into shop.items values (1, 2)'), [['DELETE', true, ['shop.items']]]);
  assert.deepEqual(writes('insert into items set id = 1 on duplicate key update v = 2'), [
    ['UPDATE', true, ['items']],
  ]);
  assert.deepEqual(writes('insert into items select * from other'), []);
  assert.deepEqual(writes('insert ignore into items select * from items'), []);
  // Each statement of a string is followed by its own implied writes.
  const all = factsOf(
    classifyUncached(
      'replace into a values (1); select 1; insert into b values (1) on duplicate key update v = 1',
    ).statements,
  );
  assert.deepEqual(
    all.map((s) => [s.kind, s.nested]),
    [
      ['INSERT', false],
      ['DELETE', true],
      ['SELECT', true],
      ['SELECT', false],
      ['INSERT', false],
      ['UPDATE', true],
      ['SELECT', true],
    ],
  );
});

test('property: an implied write is bounded exactly when the statement lists its rows', () => {
  const source = fc.constantFrom(
    { sql: 'values (1, 2)', listed: true },
    { sql: 'values (1, 2), (3, 4)', listed: true },
    { sql: 'set id = 1, v = 2', listed: true },
    { sql: 'select id, v from items', listed: false },
    { sql: '(select id, v from other)', listed: false },
  );
  fc.assert(
    fc.property(source, fc.constantFrom('replace', 'insert'), fc.boolean(), (from, verb, into) => {
      const upsert = verb === 'insert' ? ' on duplicate key update v = 0' : '';
      const sql = `${verb} ${into ? 'into ' : ''}items ${from.sql}${upsert}`;
      assert.deepEqual(
        writes(sql),
        [[verb === 'replace' ? 'DELETE' : 'UPDATE', from.listed, ['items']]],
        sql,
      );
    }),
  );
});

test('the rows a statement that is not a SELECT reads are a nested SELECT of their tables', () => {
  const reads = (sql: string) =>
    factsOf(classifyUncached(sql).statements)
      .filter((s) => s.nested && s.kind === 'SELECT')
      .flatMap((s) => s.tables);
  for (const [sql, tables] of [
    ['insert into copy select * from payroll', ['payroll']],
    ['create table copy as select * from hr.payroll', ['hr.payroll']],
    // An UPDATE or DELETE shows its own tables' rows too (exposed-tables.ts).
    ['update t join payroll p on p.id = t.id set t.v = p.salary', ['payroll', 't']],
    ['update t set v = (select max(salary) from payroll) where id = 1', ['payroll', 't']],
    ['delete t from t join payroll using (id)', ['payroll', 't']],
    ['update payroll set v = 1 where id = 2', ['payroll']],
    // REPLACE's count tells whether each key existed: its target is read as well.
    ['replace into copy select * from payroll', ['payroll', 'copy']],
  ] as const) {
    assert.deepEqual(reads(sql), tables, sql);
  }
  for (const sql of ['select * from payroll', 'insert into t values (1)'])
    assert.deepEqual(reads(sql), [], sql);
});

test('a quoted name with a dot inside stays one part, in the statement and its implied reads and writes', () => {
  const tablesOf = (sql: string) => factsOf(classifyUncached(sql).statements).map((s) => [s.kind, s.tables]);
  assert.deepEqual(tablesOf('select * from `db.t`'), [['SELECT', ['`db.t`']]]);
  assert.deepEqual(tablesOf('select * from `a.b`.t, a.`b.c`'), [['SELECT', ['`a.b`.t', 'a.`b.c`']]]);
  assert.deepEqual(tablesOf('replace into `x.y` select * from `p.q`'), [
    ['INSERT', ['`p.q`', '`x.y`']],
    ['DELETE', ['`x.y`']],
    ['SELECT', ['`p.q`', '`x.y`']],
  ]);
  // A name holding the parser's own separator (`op::db::table`) is read from the tree.
  assert.deepEqual(tablesOf('select * from `bill::x`.invoices'), [['SELECT', ['bill::x.invoices']]]);
  assert.deepEqual(tablesOf('select * from bill.`x::invoices`'), [['SELECT', ['bill.x::invoices']]]);
});
