import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { EVERY_TABLE, everyTableOf } from '../../policy/table-patterns.js';
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

// The tables whose rows a statement shows without returning them (sql-facts-exposed.ts).
test('a statement that shows rows through its errors, counts or a new name reads their table', () => {
  for (const [sql, tables] of [
    ['UPDATE payroll SET note = note WHERE salary::int > 0', ['payroll']],
    ['UPDATE payroll SET note = NULL', ['payroll']],
    ['DELETE FROM payroll WHERE salary > 100000', ['payroll']],
    ["MERGE INTO payroll p USING t ON t.id = p.id WHEN MATCHED THEN UPDATE SET note = 'x'", ['t', 'payroll']],
    ['INSERT INTO payroll VALUES (1) ON CONFLICT DO NOTHING', ['payroll']],
    ['WITH d AS (DELETE FROM hr.payroll WHERE id = 1) SELECT 1', ['hr.payroll']],
    ['CREATE INDEX ON payroll ((salary::int))', ['payroll']],
    ['CREATE UNIQUE INDEX i ON payroll (salary)', ['payroll']],
    ['ALTER TABLE payroll ADD CHECK (salary::int > 0)', ['payroll']],
    ['ALTER TABLE payroll ALTER salary TYPE int USING salary::int', ['payroll']],
    ['ALTER TABLE payroll INHERIT mine', ['payroll', 'mine']],
    ['ALTER TABLE mine ATTACH PARTITION payroll DEFAULT', ['mine', 'payroll']],
    ['ALTER TABLE payroll RENAME TO p2', ['payroll']],
    ['ALTER TABLE hr.payroll SET SCHEMA public', ['hr.payroll']],
    // Every table of hr, which the text does not name, is then read under x.
    ['ALTER SCHEMA hr RENAME TO x', [everyTableOf('hr')]],
    ['ALTER SCHEMA "a.b" RENAME TO x', [everyTableOf('a.b')]],
    ['CREATE TABLE x (a int REFERENCES payroll (id))', ['payroll']],
    ['CREATE TABLE x PARTITION OF payroll DEFAULT', ['payroll']],
    ['CREATE STATISTICS s ON a, b FROM payroll', ['payroll']],
    ['CREATE POLICY p ON t USING ((SELECT salary::int FROM payroll LIMIT 1) > 0)', ['payroll']],
    ['ALTER POLICY p ON t WITH CHECK (EXISTS (SELECT FROM payroll))', ['payroll']],
    ['CREATE SCHEMA s CREATE INDEX ON public.payroll (salary)', ['public.payroll']],
    [
      "CREATE FOREIGN TABLE ft (id int) SERVER s OPTIONS (schema_name 'hr', table_name 'payroll')",
      ['ft', 'hr.payroll'],
    ],
    ["ALTER FOREIGN TABLE ft OPTIONS (SET table_name 'payroll')", ['ft', 'payroll']],
    ['CREATE FOREIGN TABLE payroll (id int) SERVER s', ['payroll']],
    [
      'CREATE RULE r AS ON UPDATE TO payroll DO ALSO INSERT INTO log VALUES (NEW.id, NEW.salary)',
      ['payroll'],
    ],
    ['CREATE RULE r AS ON DELETE TO payroll DO ALSO INSERT INTO log SELECT old.*', ['payroll']],
    ["CREATE RULE r AS ON UPDATE TO payroll WHERE new.salary > 'm' DO ALSO NOTIFY ch", ['payroll']],
    ['CREATE TRIGGER t AFTER UPDATE ON payroll FOR EACH ROW EXECUTE FUNCTION audit()', ['payroll']],
    ['CREATE PUBLICATION p FOR TABLE payroll', ['payroll']],
    ['ALTER PUBLICATION p ADD TABLE hr.payroll', ['hr.payroll']],
  ] as const) {
    assert.deepEqual(reads(sql), tables, sql);
  }
  for (const sql of [
    'INSERT INTO payroll VALUES (1)',
    'CREATE TABLE x (a int)',
    'CREATE POLICY p ON payroll USING (true)',
    'CREATE RULE r AS ON INSERT TO payroll DO ALSO NOTIFY ch',
    'DROP TABLE payroll',
    'TRUNCATE payroll',
  ]) {
    assert.deepEqual(reads(sql), [], sql);
  }
});

test('property: an UPDATE or DELETE reads its own target, whatever its WHERE and SET hold', () => {
  const where = fc.constantFrom(
    '',
    ' WHERE true',
    ' WHERE id = 1',
    ' WHERE salary::int > 0',
    ' WHERE CURRENT OF c',
  );
  fc.assert(
    fc.property(
      fc.constantFrom('payroll', 'hr.payroll', '"Payroll"'),
      fc.boolean(),
      where,
      (table, update, w) => {
        const sql = update ? `UPDATE ${table} SET note = NULL${w}` : `DELETE FROM ${table}${w}`;
        const name = table === '"Payroll"' ? 'Payroll' : table;
        assert.ok(reads(sql).includes(name), sql);
        assert.equal(c.classify(sql)[0]?.kind, update ? 'UPDATE' : 'DELETE', sql);
      },
    ),
  );
});

test('code Vigil cannot read reads every table: a DO block, a function in a language other than sql', () => {
  for (const sql of [
    "DO $$BEGIN RAISE NOTICE '%', (SELECT salary FROM payroll); END$$",
    "DO LANGUAGE plpgsql 'BEGIN NULL; END'",
    'CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$',
    'CREATE OR REPLACE PROCEDURE p() LANGUAGE plpython3u AS $$pass$$',
    "CREATE FUNCTION qx(text, bool, bool, text) RETURNS xml LANGUAGE internal AS 'query_to_xml'",
    "CREATE FUNCTION f() RETURNS int AS 'select 1'",
  ]) {
    assert.deepEqual(reads(sql), [EVERY_TABLE], sql);
  }
  // A sql body is read: its own tables, not every table.
  assert.deepEqual(reads('CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN (SELECT count(*) FROM t)'), [
    't',
  ]);
  assert.deepEqual(reads('CALL p()'), [], 'a procedure made earlier is not in the text (docs/postgres.md)');
});
