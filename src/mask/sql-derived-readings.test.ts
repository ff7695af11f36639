// A MySQL statement's result columns read as PostgreSQL reads strings hid `password AS p` behind
// `'\''`, `#'` or `"a\""` (recorded in clear until 6 December); read both ways, the positions either
// reading finds are withheld. Statements both readings read alike are read once, as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';
import { BOTH_READINGS, derivedRead, STANDARD_ONLY } from './sql-derived-readings.js';

const secret = secretNameMatcher();

test('a renamed password behind a string only MySQL closes is found when read both ways', () => {
  for (const sql of [
    "SELECT '\\'', password AS p FROM users -- '",
    "SELECT 1, #'\n password AS p FROM users -- '",
    'SELECT "a\\"", password AS p FROM users -- "',
  ]) {
    assert.equal(derivedRead(sql, secret, [], STANDARD_ONLY), null, sql);
    assert.ok(derivedRead(sql, secret, [], BOTH_READINGS)?.fromStart.has(1), sql);
  }
});

test('statements read alike are read once, with the same result', () => {
  for (const sql of ['SELECT password AS p FROM users', 'SELECT id, name FROM users', "SELECT 'x' AS p"])
    assert.deepEqual(derivedRead(sql, secret, [], BOTH_READINGS), derivedSecretPositions(sql, secret), sql);
});

test('property: what either reading withholds, both readings withhold', () => {
  const piece = fc.constantFrom(
    "'\\''",
    "'x'",
    '#',
    '\n',
    '"a\\""',
    '--',
    ', password AS p',
    ', name',
    ' ',
    "'",
    '"',
    '\\',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const sql = `SELECT 1${pieces.join('')} FROM users`;
      const both = derivedRead(sql, secret, [], BOTH_READINGS);
      for (const reading of ['standard', 'mysql'] as const) {
        const one = derivedSecretPositions(sql, secret, [], reading);
        if (one === null) continue;
        assert.ok(both !== null, sql);
        if (both.all) continue;
        for (const p of one.fromStart) assert.ok(both.fromStart.has(p), sql);
        for (const p of one.fromEnd) assert.ok(both.fromEnd.has(p), sql);
        for (const n of one.names ?? []) assert.ok(both.names?.has(n), sql);
      }
    }),
    { numRuns: 400 },
  );
});
