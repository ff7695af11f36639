import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

/** The tables of the nested SELECT entries: what the statement reads besides being what it is. */
const reads = (sql: string) =>
  c
    .classify(sql)
    .filter((s) => s.nested && s.kind === 'SELECT')
    .flatMap((s) => s.tables);

test('the rows a statement that is not a SELECT reads are a nested SELECT of their tables', () => {
  for (const [sql, tables] of [
    ['INSERT INTO copy SELECT * FROM payroll', ['payroll']],
    ['CREATE TABLE copy AS SELECT * FROM payroll', ['payroll']],
    ['SELECT * INTO copy FROM payroll', ['payroll']],
    ['CREATE VIEW v AS SELECT * FROM hr.payroll', ['hr.payroll']],
    ['COPY payroll TO STDOUT', ['payroll']],
    ['COPY (SELECT * FROM payroll) TO STDOUT', ['payroll']],
    ['DECLARE c CURSOR FOR SELECT * FROM payroll', ['payroll']],
    ['PREPARE s AS SELECT * FROM payroll', ['payroll']],
    // A write's own target shows its rows through errors and counts (sql-facts-exposed.ts).
    ['UPDATE t SET v = p.salary FROM payroll p WHERE p.id = t.id', ['payroll', 't']],
    ['DELETE FROM payroll WHERE id = 1 RETURNING *', ['payroll']],
    ['INSERT INTO payroll SELECT * FROM payroll WHERE salary > 1', ['payroll']],
    // The INSERT reads the deleted rows of payroll, and the DELETE returns them.
    ['WITH d AS (DELETE FROM payroll RETURNING *) INSERT INTO copy SELECT * FROM d', ['payroll', 'payroll']],
    // The planner's estimates tell of the rows.
    ['EXPLAIN SELECT * FROM payroll', ['payroll']],
  ] as const) {
    assert.deepEqual(reads(sql), tables, sql);
  }
  for (const sql of ['SELECT * FROM payroll', 'INSERT INTO t VALUES (1)', 'COPY payroll FROM STDIN']) {
    assert.deepEqual(reads(sql), [], sql);
  }
});

test('property: an INSERT reads the tables of its query, and its target only when it returns rows', () => {
  fc.assert(
    fc.property(fc.subarray(['a', 'b', 'c'], { minLength: 1 }), fc.boolean(), (sources, returning) => {
      const sql = `INSERT INTO target SELECT * FROM ${sources.join(', ')}${returning ? ' RETURNING *' : ''}`;
      assert.deepEqual(reads(sql).sort(), [...(returning ? ['target'] : []), ...sources].sort(), sql);
    }),
  );
});
