// Comments and spaces as MariaDB reads them, where a misreading would hide a statement: `--` starts
// a comment only before an ASCII space or control character; the byte 0xA0 (a no-break space, or
// inside a UTF-8 character such as à), a space to latin1 sessions and part of a name to utf8mb4
// ones, makes the text unreadable outside strings, and no cached shape may stand in for such a text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyMysql } from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';

test('`--` starts a comment only before an ASCII space or control character, as in MariaDB', () => {
  for (let code = 0; code <= 0x3000; code++) {
    // Quotes and `#` start something else.
    if (`'"\`#`.includes(String.fromCharCode(code))) continue;
    const sql = `select 1 --${String.fromCharCode(code)}x; drop table t`;
    const lexed = lexMysql(sql);
    if ((code >= 0x80 && code <= 0xff) || Buffer.from(String.fromCharCode(code), 'utf8').includes(0xa0)) {
      // A byte some single-byte client character set reads as a space: Vigil cannot tell.
      assert.ok(lexed.uncertain, `U+${code.toString(16)}`);
      continue;
    }
    const comment = code <= 0x20 || code === 0x7f;
    const dropSeen = lexed.statements.some((s) => s.tokens.some((t) => t.text === 'drop'));
    // A comment hides the DROP (it runs to the end of the line), unless a newline or NUL ends it first.
    assert.equal(dropSeen, !comment || code === 0x0a || code === 0, `U+${code.toString(16)}`);
  }
});

const CODE = fc.constantFrom('select', 'x', 'from', 't', ';', ' ', '1', ',', '=', '\n');

test('a no-break space outside strings, quoted names and comments makes the text unreadable', () => {
  fc.assert(
    fc.property(fc.array(CODE, { maxLength: 8 }), fc.array(CODE, { maxLength: 8 }), (before, after) => {
      const sql = `${before.join(' ')}\u00a0${after.join(' ')}`;
      const lexed = lexMysql(sql);
      assert.ok(lexed.uncertain);
      assert.deepEqual(lexed.statements, []);
      assert.ok(classifyMysql(sql).unreadable);
    }),
    { numRuns: 300 },
  );
  for (const quoted of [
    "select 'a\u00a0b'",
    'select `a\u00a0b`',
    'select 1 /* \u00a0 */',
    'select 1 # \u00a0',
  ])
    assert.equal(lexMysql(quoted).uncertain, null, quoted);
});

test('any character holding the byte 0xA0 in UTF-8 is unreadable outside strings; others are names', () => {
  for (let cp = 0x80; cp <= 0x3000; cp++) {
    const ch = String.fromCodePoint(cp);
    const holds = Buffer.from(ch, 'utf8').includes(0xa0);
    assert.equal(lexMysql(`select @x${ch}from t`).uncertain !== null, holds, `U+${cp.toString(16)}`);
    assert.equal(lexMysql(`select '${ch}'`).uncertain, null);
  }
  assert.ok(lexMysql('select 1 as \u{20020}').uncertain, 'F0 A0 80 A0');
  assert.equal(lexMysql('select 1 as \u{1f600}').uncertain, null, 'F0 9F 98 80');
});

test('a cached shape never stands in for an unreadable text', () => {
  classifyMysql('select 1; select 2');
  classifyMysql('select 1; select 2');
  const c = classifyMysql('select 1; select 3\u00a0; drop table t');
  assert.ok(c.unreadable);
  assert.deepEqual(
    c.statements.map((s) => s.kind),
    ['UNKNOWN'],
  );
});
