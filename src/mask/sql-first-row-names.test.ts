// MariaDB names a VALUES table's columns after its first row's values, so a statement copies a
// password to a secret column by naming it (`SET u.password = t.\`…\``). The value and the name
// were recorded as typed until 6 December; other values and names stay readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';

const masker = createMasker({ fingerprintKey: 'sql-first-row-names-key-0123456' });
const S = 'tidal mitten violin';
const T = 'other quiet words';
const masked = (sql: string) =>
  (masker.maskPayload({ statement: sql, parameters: [] }, '') as { statement: string }).statement;

test("a VALUES column named by its first row's value and given to a secret column is masked, name too", () => {
  for (const sql of [
    `UPDATE users u JOIN (VALUES ('ann', '${S}')) t ON u.name = t.ann SET u.password = t.\`${S}\``,
    `INSERT INTO users (id, name, password) SELECT 2, ann, \`${S}\` FROM (VALUES ('ann', '${S}'), ('bob', '${T}')) t`,
    `SELECT name FROM users u, (VALUES ('${S}')) AS t WHERE u.password = t.\`${S}\``,
    `UPDATE users u, (VALUES ('ann', '${S}')) t SET u.password = UPPER(t.\`${S}\`) WHERE u.name = t.ann`,
  ]) {
    const out = masked(sql);
    assert.ok(!out.includes(S) && !out.includes(T), `${sql}\n${out}`);
    assert.ok(!sql.includes("'ann'") || out.includes("'ann'"), `${sql}\n${out}`);
  }
});

test('names given to other columns, and VALUES with a column list, keep their values', () => {
  for (const sql of [
    "UPDATE users u JOIN (VALUES ('ann', 'Ann Lee')) t ON u.name = t.ann SET u.full_name = t.`Ann Lee`",
    "SELECT `x y` FROM (VALUES ('x y')) t",
    "UPDATE users SET api_token = v.p FROM (VALUES ('p', 'keep')) v(n, q) WHERE users.name = v.n",
  ])
    assert.equal(masked(sql), sql);
});

test('property: the first-row position a reference names is bound in every row, and its name with it', () => {
  const secret = secretNameMatcher();
  fc.assert(
    fc.property(fc.nat(3), fc.nat(3), fc.nat(2), fc.boolean(), (before, after, rows, quoted) => {
      const name = quoted ? 'pw one' : 'pwone';
      const row = (r: number) =>
        [
          ...Array.from({ length: before }, (_, i) => `'a${i}r${r}'`),
          r === 0 ? `'${name}'` : `'${S}${r}'`,
          ...Array.from({ length: after }, (_, i) => `'b${i}r${r}'`),
        ].join(', ');
      const values = Array.from({ length: rows + 1 }, (_, r) => `(${row(r)})`).join(', ');
      const ref = quoted ? `\`${name}\`` : name;
      const sql = `UPDATE users u, (VALUES ${values}) t SET u.password = t.${ref} WHERE u.id = 1`;
      const found = secretBindings(sql, secret, 'mysql')
        .literals.map((l) => sql.slice(l.start, l.end))
        .sort();
      const expected = [name, name, ...Array.from({ length: rows }, (_, r) => `${S}${r + 1}`)].sort();
      assert.deepEqual(found, expected, sql);
    }),
  );
});
