import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { EVERY_TABLE } from '../../policy/table-patterns.js';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

/** What a text Vigil cannot read may do besides: read any table. */
const OPAQUE_READ = ['SELECT', [], [EVERY_TABLE]] as const;

/** The nested entries a call's text argument adds: kind, flags and tables of each. */
const nested = (sql: string) =>
  c
    .classify(sql)
    .filter((s) => s.nested)
    .map((s) => [s.kind, s.flags, s.tables]);

test('the query in a text argument is classified as nested statements', () => {
  for (const [sql, expected] of [
    [
      "SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, true, '')",
      [['SELECT', ['server_file_access'], []]],
    ],
    [
      "SELECT pg_catalog.QUERY_TO_XML(query => 'SELECT set_config(''role'', ''x'', false)', nulls => true, tableforest => true, targetns => '')",
      [['SELECT', ['set_role'], []]],
    ],
    ["SELECT * FROM ts_stat('SELECT v FROM docs', 'ab')", [['SELECT', [], ['docs']]]],
    ["SELECT ts_rewrite('a'::tsquery, 'SELECT t, s FROM aliases')", [['SELECT', [], ['aliases']]]],
    [
      "SELECT * FROM crosstab('SELECT 1', 'SELECT 2') AS x(a int)",
      [
        ['SELECT', [], []],
        ['SELECT', [], []],
      ],
    ],
    // A text computed at run time, or a query built from names, cannot be judged: it may read any table.
    ["SELECT query_to_xml(current_setting('app.q'), true, true, '')", [['UNKNOWN', [], []], OPAQUE_READ]],
    [
      "SELECT * FROM connectby('t', 'id', 'parent', '1', 0) AS x(a int, b int, c int)",
      [['UNKNOWN', [], []], OPAQUE_READ],
    ],
    ["SELECT query_to_xml('not sql at all', true, true, '')", [['UNKNOWN', [], []], OPAQUE_READ]],
    // A whole table by its regclass text; a schema, the database or a cursor cannot be read.
    ["SELECT table_to_xml('payroll', true, true, '')", [['SELECT', [], ['payroll']]]],
    [
      "SELECT table_to_xmlschema(tbl => 'hr.\"Payroll\"'::regclass, nulls => true, tableforest => true, targetns => '')",
      [['SELECT', [], ['hr.Payroll']]],
    ],
    ["SELECT table_to_xml(16384, true, true, '')", [['UNKNOWN', [], []], OPAQUE_READ]],
    ["SELECT schema_to_xml('public', true, true, '')", [['UNKNOWN', [], []], OPAQUE_READ]],
    ["SELECT cursor_to_xml('c', 10, true, true, '')", [['UNKNOWN', [], []], OPAQUE_READ]],
    // In a LANGUAGE sql body, read when the function is created.
    [
      "CREATE FUNCTION f() RETURNS xml LANGUAGE sql AS $$ SELECT query_to_xml('SELECT pg_ls_dir(''.'')', true, true, '') $$",
      [
        ['SELECT', [], []],
        ['SELECT', ['server_file_access'], []],
      ],
    ],
  ] as const) {
    assert.deepEqual(nested(sql), expected, sql);
  }
});

test('arguments that are no query add nothing', () => {
  for (const [sql, expected] of [
    ["SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery)", []],
    ["SELECT * FROM crosstab('SELECT 1', 3) AS x(a int)", [['SELECT', [], []]]],
    ["SELECT query_to_xml(NULL, true, true, '')", []],
  ] as const) {
    assert.deepEqual(nested(sql), expected, sql);
  }
});

test('property: whatever query a text argument holds, its facts are those of the query itself', () => {
  const query = fc.constantFrom(
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT set_config('role', 'admin', false)",
    'SELECT * FROM payroll',
    'SELECT lo_import($$/etc/passwd$$)',
    'SELECT 1',
    "SELECT query_to_xml('SELECT pg_ls_dir(''.'')', true, true, '')",
  );
  const call = fc.constantFrom(
    (q: string) => `SELECT query_to_xml(${q}, true, true, '')`,
    (q: string) => `SELECT * FROM ts_stat(${q})`,
    (q: string) =>
      `SELECT query_to_xmlschema(query => ${q}, nulls => true, tableforest => false, targetns => '')`,
    (q: string) => `SELECT 1 WHERE EXISTS (SELECT ts_rewrite('a'::tsquery, ${q}))`,
  );
  fc.assert(
    fc.property(query, call, (q, make) => {
      const literal = `'${q.replaceAll("'", "''")}'`;
      const direct = c.classify(q).map((s) => [s.flags, s.tables, s.settings]);
      const through = c
        .classify(make(literal))
        .filter((s) => s.nested)
        .map((s) => [s.flags, s.tables, s.settings]);
      assert.deepEqual(through, direct, make(literal));
    }),
  );
});
