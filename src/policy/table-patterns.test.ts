import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { globMatcher } from './glob.js';
import { tableMatcher } from './table-patterns.js';

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

test('a restricting pattern meets a quoted name with dots of its own as written', () => {
  // billing."x.y" reaches the classifier as billing.x.y.
  assert.equal(deny('billing.*')('billing.x.y'), true);
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
      const spanning = pattern.includes('.') && globMatcher(pattern, true)(name);
      assert.equal(
        deny(pattern)(name),
        globMatcher(table, true)(name) || spanning,
        JSON.stringify({ pattern, name }),
      );
    }),
    { numRuns: 5000 },
  );
});
