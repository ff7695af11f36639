import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create();
});
const kinds = (sql: string) => c.classify(sql).map((s) => s.kind);

test('kinds come from the parser, one per statement', () => {
  assert.deepEqual(kinds('select 1; insert into t values (1); update t set a = 1 where b; delete from t'), [
    'SELECT',
    'INSERT',
    'UPDATE',
    'DELETE',
  ]);
  assert.deepEqual(
    kinds(
      'drop table t; truncate t; alter table t add b int; create index on t(a); grant select on t to x; revoke all on t from x',
    ),
    ['DROP', 'TRUNCATE', 'ALTER', 'CREATE', 'GRANT', 'REVOKE'],
  );
  assert.deepEqual(kinds('begin; commit; set x = 1; show x; explain select 1'), [
    'TRANSACTION',
    'TRANSACTION',
    'SET',
    'SHOW',
    'EXPLAIN',
  ]);
  assert.deepEqual(kinds(''), []);
  assert.deepEqual(kinds('selec t'), ['UNKNOWN']);
});

test('WHERE is seen on UPDATE and DELETE; strings that merely contain WHERE do not count', () => {
  assert.equal(c.classify('delete from t -- where a = 1')[0]!.hasWhere, false);
  assert.equal(c.classify("update t set note = 'where'")[0]!.hasWhere, false);
  assert.equal(c.classify('delete from t where a = 1')[0]!.hasWhere, true);
});

test('writes nested in CTEs and EXPLAIN ANALYZE are found', () => {
  const cte = c.classify('with d as (delete from t returning *) select * from d');
  assert.deepEqual(
    cte.map((s) => [s.kind, s.nested, s.hasWhere]),
    [
      ['SELECT', false, false],
      ['DELETE', true, false],
    ],
  );
  assert.deepEqual(kinds('explain analyze update t set a = 1'), ['EXPLAIN', 'UPDATE']);
});

test('read-only facts: COPY TO reads, COPY FROM writes, BEGIN READ WRITE writes, SELECT INTO creates', () => {
  assert.equal(c.classify('copy t to stdout')[0]!.writes, false);
  assert.equal(c.classify('copy t from stdin')[0]!.writes, true);
  assert.equal(c.classify('begin read write')[0]!.writes, true);
  assert.equal(c.classify('begin read only')[0]!.writes, false);
  assert.deepEqual(kinds('select * into x from t'), ['CREATE']);
  assert.deepEqual(c.classify('select * from s.t join u using (id)')[0]!.tables, ['s.t', 'u']);
});
