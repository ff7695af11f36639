// MySQL syntax the parser refuses is respelled for it outside quotes only, and the classifier then
// reads such statements as the server runs them instead of refusing them as unreadable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parserSpelling } from './parser-spelling.js';
import { classifyMysql } from './sql-classifier.js';

test('<=> and VALUE are respelled; quoted ones are not', () => {
  assert.equal(parserSpelling("SELECT id FROM t WHERE a <=> 'x'"), "SELECT id FROM t WHERE a  =  'x'");
  assert.equal(
    parserSpelling("INSERT INTO t (a, b) VALUE (1, '<=>'), (2, 'value (')"),
    "INSERT INTO t (a, b) VALUES (1, '<=>'), (2, 'value (')",
  );
  assert.equal(parserSpelling('INSERT t VALUE ROW(1)'), 'INSERT t VALUES ROW(1)');
  assert.equal(parserSpelling('SELECT \'<=>\', "a\\" <=> b", `x<=>y`'), null);
  assert.equal(parserSpelling('SELECT myvalue(1), value FROM t'), null);
});

test('property: text inside quotes is never changed', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('<=>', 'value (', 'a', ' ', '\\', "''", '""')), (parts) => {
      const inside = parts.join('').replace(/['"\\]/g, '');
      const sql = `SELECT '${inside}', "${inside}"`;
      assert.equal(parserSpelling(sql), null, sql);
    }),
  );
});

test('the classifier reads <=> and INSERT … VALUE as the server runs them', () => {
  const compared = classifyMysql("SELECT id FROM users WHERE password <=> 'x'").statements[0]!;
  assert.equal(compared.kind, 'SELECT');
  assert.deepEqual(compared.tables, ['users']);
  const inserted = classifyMysql("INSERT INTO users (id, name) VALUE (1, 'ann')").statements[0]!;
  assert.equal(inserted.kind, 'INSERT');
  assert.equal(inserted.writes, true);
});
