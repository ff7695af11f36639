// What the classifier reports of the settings a statement changes: the facts the proxy's
// pinned settings (lexical-settings.ts) rely on, so every spelling of a change must show up.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create();
});

const first = (sql: string) => {
  const [s] = c.classify(sql);
  assert.ok(s, sql);
  return s;
};
const settings = (sql: string) =>
  c.classify(sql).flatMap((s) => s.settings.map(({ scope: _, ...rest }) => rest));

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
