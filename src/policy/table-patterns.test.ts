import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { globMatcher } from './glob.js';
import { EVERY_TABLE, everyTableOf, tableMatcher, tableName, tableNameParts } from './table-patterns.js';

const deny = (...patterns: string[]) => tableMatcher(patterns, true);
const allow = (...patterns: string[]) => tableMatcher(patterns, false);

test('a restricting schema pattern holds a name written without its schema: the server may resolve it there', () => {
  // SET search_path = billing; DELETE FROM invoices (PostgreSQL), USE billing (MySQL).
  assert.equal(deny('billing.*')('invoices'), true);
  assert.equal(deny('billing.invoices')('invoices'), true);
  assert.equal(deny('billing.invoices')('payments'), false, 'the table part still has to fit');
  assert.equal(deny('billing.inv*')('INVOICES'), true);
  assert.equal(deny('*.users')('users'), true);
});

test('a restricting schema pattern still tells an explicit other schema apart', () => {
  assert.equal(deny('billing.*')('public.invoices'), false);
  assert.equal(deny('billing.invoices')('public.invoices'), false);
  assert.equal(deny('billing.*')('billing.invoices'), true);
  assert.equal(deny('billing.*')('BILLING.Invoices'), true, 'case-insensitive');
});

test('a restricting pattern meets a name with more parts than it spells on the parts it does', () => {
  // DROP TABLE vigil.billing.invoices names the object as [vigil, billing, invoices].
  assert.equal(deny('billing.*')('vigil.billing.invoices'), true);
  assert.equal(deny('billing.invoices')('vigil.billing.invoices'), true);
  assert.equal(deny('billing.*')('vigil.public.invoices'), false);
  // A pattern with the catalog meets a name without it, and one without either.
  assert.equal(deny('vigil.billing.*')('billing.invoices'), true);
  assert.equal(deny('vigil.billing.*')('invoices'), true);
  assert.equal(deny('vigil.billing.*')('public.invoices'), false);
});

test('a restricting pattern meets a quoted name with dots of its own part by part', () => {
  // billing."x.y" is the table x.y in billing; "x.y" a table of that name in any schema.
  assert.equal(deny('billing.*')('billing."x.y"'), true);
  assert.equal(deny('billing.*')('"x.y"'), true, 'the search_path may put it in billing');
  assert.equal(deny('billing.*')('`x.y`'), true, "MySQL's quotes");
  assert.equal(deny('x.y')('"x.y"'), false, 'the table named x.y is not y in schema x');
  assert.equal(deny('y')('"x.y"'), false);
  assert.equal(deny('"x.y"')('"x.y"'), true, 'a pattern may quote a part too');
  assert.equal(deny('"x.y"')('billing."x.y"'), true);
  assert.equal(deny('billing.*')('"billing.x".y'), false, 'schema billing.x is not billing');
});

test('an allow pattern does not admit a quoted name that only reads like it', () => {
  // SELECT * FROM "public.secrets": a table named public.secrets, in whatever schema the path picks.
  assert.equal(allow('public.*')('"public.secrets"'), false);
  assert.equal(allow('billing.invoices')('"billing.invoices"'), false);
  assert.equal(allow('billing.invoices')('`billing.invoices`'), false);
  assert.equal(allow('secrets')('"public.secrets"'), false);
  assert.equal(allow('billing.*')('billing."a.b"'), true, 'a table of billing, whatever its name');
  assert.equal(allow('billing.*')('vigil.billing.invoices'), false);
  assert.equal(allow('"public.secrets"')('"public.secrets"'), true);
  assert.equal(allow('"public.secrets"')('app."public.secrets"'), true, 'a bare pattern: any schema');
  assert.equal(allow('"public.secrets"')('public.secrets'), false, 'secrets in public is another table');
});

test('table names keep their parts through the recorded text', () => {
  assert.equal(tableName(['public', 'secrets']), 'public.secrets');
  assert.equal(tableName(['public.secrets']), '"public.secrets"');
  assert.equal(tableName(['db.x', 't'], '`'), '`db.x`.t');
  assert.equal(tableName(['a"b']), '"a""b"');
  assert.equal(tableName(['a`b'], '`'), '`a``b`');
  assert.deepEqual(tableNameParts('public.secrets'), ['public', 'secrets']);
  assert.deepEqual(tableNameParts('"a""b.c".d'), ['a"b.c', 'd']);
  // Older records, and a name with a quote of its own that was never quoted, read as before.
  assert.deepEqual(tableNameParts('"x'), ['"x']);
  assert.deepEqual(tableNameParts('a"b.c'), ['a"b', 'c']);
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (parts, back) => {
        assert.deepEqual(tableNameParts(tableName(parts, back ? '`' : '"')), parts);
      },
    ),
    { numRuns: 5000 },
  );
});

test('a bare pattern meets the last segment, restricting or allowing', () => {
  for (const m of [deny('users'), allow('users')]) {
    assert.equal(m('users'), true);
    assert.equal(m('public.users'), true);
    assert.equal(m('vigil.public.users'), true);
    assert.equal(m('users_archive'), false);
  }
  assert.equal(deny('bill*')('billing.invoices'), false, 'a bare pattern never meets the schema');
});

test('an allow schema pattern admits only names written in that schema', () => {
  const m = allow('billing.*');
  assert.equal(m('billing.invoices'), true);
  assert.equal(m('invoices'), false, 'could be any schema on the search path');
  assert.equal(m('public.invoices'), false);
  assert.equal(m('vigil.billing.invoices'), false, 'not as written');
  assert.equal(allow('billing.invoices')('invoices'), false);
});

test('an allow pattern meets a name spelled with capitals only in its own case', () => {
  // "Billing".invoices is another schema than billing in PostgreSQL, and BILLING another database
  // than billing on a MySQL server that keeps case.
  assert.equal(allow('billing.*')('Billing.invoices'), false);
  assert.equal(allow('users')('Users'), false);
  assert.equal(allow('Billing.*')('Billing.invoices'), true);
  // Names the server folded (PostgreSQL's unquoted names) still meet a pattern written in capitals.
  assert.equal(allow('Billing.*')('billing.invoices'), true);
  assert.equal(allow('USERS')('public.users'), true);
  // A restricting rule holds every case.
  assert.equal(deny('billing.*')('Billing.invoices'), true);
});

const segment = fc.stringMatching(/^[a-cA-C*]{0,3}$/);
const dotted = (max: number) => fc.array(segment, { minLength: 1, maxLength: max }).map((s) => s.join('.'));

test('a restricting rule matches every name an allow rule with the same pattern admits', () => {
  fc.assert(
    fc.property(dotted(3), dotted(4), (pattern, name) => {
      if (allow(pattern)(name)) assert.ok(deny(pattern)(name), JSON.stringify({ pattern, name }));
    }),
    { numRuns: 5000 },
  );
});

test('a restricting pattern meets an unqualified name exactly when its table part does', () => {
  fc.assert(
    fc.property(dotted(3), fc.stringMatching(/^[a-cA-C]{0,3}$/), (pattern, name) => {
      const table = pattern.slice(pattern.lastIndexOf('.') + 1);
      assert.equal(deny(pattern)(name), globMatcher(table, true)(name), JSON.stringify({ pattern, name }));
    }),
    { numRuns: 5000 },
  );
});

test('a read of every table meets every restricting pattern list and no allow list short of a bare *', () => {
  assert.equal(deny('payroll')(EVERY_TABLE), true);
  assert.equal(deny('hr.payroll', 'billing.*')(EVERY_TABLE), true);
  assert.equal(deny('"public.secrets"')(EVERY_TABLE), true);
  assert.equal(deny()(EVERY_TABLE), false, 'an empty list names no table');
  // Allowing certain tables, pg_stats among them, is no allow for the sample of all the others.
  assert.equal(allow('pg_stats', 'pg_catalog.*', 'public.*')(EVERY_TABLE), false);
  assert.equal(allow('*.*')(EVERY_TABLE), false, '*.* admits only names written with a schema');
  assert.equal(allow('*')(EVERY_TABLE), true, 'it admits every table one by one already');
});

test('no table name is recorded as the read of every table', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 3 }), (parts) => {
      assert.notEqual(tableName(parts), EVERY_TABLE);
      assert.notEqual(tableName(parts, '`'), EVERY_TABLE);
    }),
    { numRuns: 5000 },
  );
  assert.notEqual(tableName(['(every table)']), EVERY_TABLE);
  assert.notEqual(tableName(['"(every table)"']), EVERY_TABLE);
});

test('a read of every table meets a deny list whenever the list meets any table', () => {
  fc.assert(
    fc.property(fc.array(dotted(3), { minLength: 1, maxLength: 4 }), dotted(3), (patterns, name) => {
      const restricting = tableMatcher(patterns, true);
      assert.equal(restricting(EVERY_TABLE), true, JSON.stringify(patterns));
      // And an allow list grants it only if it admits this name (and every other) too.
      if (tableMatcher(patterns, false)(EVERY_TABLE)) assert.ok(tableMatcher(patterns, false)(name));
    }),
    { numRuns: 5000 },
  );
});

// ALTER SCHEMA hr RENAME TO x: every table of hr, whichever they are, is read under another name.
test('every table of a schema meets the restricting patterns that could name a table there', () => {
  const hr = everyTableOf('hr');
  assert.equal(deny('hr.payroll')(hr), true);
  assert.equal(deny('hr.*')(hr), true);
  assert.equal(deny('HR.pay*')(hr), true, 'case-insensitive');
  assert.equal(deny('payroll')(hr), true, 'a table of that name may be in hr');
  assert.equal(deny('vigil.hr.payroll')(hr), true);
  assert.equal(deny('billing.*')(hr), false, 'another schema');
  assert.equal(deny('vigil.billing.*')(hr), false);
  assert.equal(deny('"hr.payroll"')(everyTableOf('x')), true, 'a table of that name may be in x');
  assert.equal(deny('a.b.*')(everyTableOf('a.b')), false, 'the schema "a.b" is one part');
  assert.equal(deny('"a.b".*')(everyTableOf('a.b')), true);
});

test('every table of a schema is admitted only by a pattern that admits all of them', () => {
  const hr = everyTableOf('hr');
  assert.equal(allow('hr.*')(hr), true);
  assert.equal(allow('*')(hr), true);
  assert.equal(allow('hr.payroll')(hr), false, 'hr may hold other tables');
  assert.equal(allow('payroll', 'hr.pay*')(hr), false);
  assert.equal(allow('billing.*')(hr), false);
  assert.equal(allow('Hr.*')(everyTableOf('Hr')), true);
  assert.equal(allow('hr.*')(everyTableOf('Hr')), false, 'a schema spelled with capitals is another one');
});

test('no table name is recorded as every table of a schema', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 8 }), { minLength: 2, maxLength: 3 }), (parts) => {
      // Every table of a schema meets a bare pattern whatever it is; a real table only by its name.
      assert.equal(deny('q')(tableName(parts)), parts.at(-1)!.toLowerCase() === 'q', JSON.stringify(parts));
    }),
    { numRuns: 5000 },
  );
  assert.equal(deny('billing.*')(tableName(['hr', '(every table)'])), false);
  assert.equal(deny('billing.*')(tableName(['hr', '"(every table)"'])), false);
});
