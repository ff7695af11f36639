import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RawFinding } from './compiled-rules.js';
import { clipToCode, sqlCodeSpans } from './sql-code-clip.js';

const piece = fc.constantFrom(
  'SELECT ',
  'or true',
  ' ',
  '\n',
  "'abc def'",
  '-- note\n',
  '/* c */',
  '$$ x $$',
  '"q"',
  '\\',
  '#',
  '= 1',
  '-----BEGIN PRIVATE KEY-----',
);
const sql = fc.array(piece, { maxLength: 20 }).map((parts) => parts.join(''));

test('property: a clipped finding keeps its start, never grows, and covers no code after its start', () => {
  fc.assert(
    fc.property(
      sql,
      fc.constantFrom('standard' as const, 'mysql' as const, 'both' as const),
      fc.array(fc.tuple(fc.nat(200), fc.nat(200)), { maxLength: 6 }),
      (text, reading, cuts) => {
        const findings: RawFinding[] = cuts
          .map(([a, b]) => [Math.min(a, b) % (text.length + 1), Math.max(a, b) % (text.length + 1)] as const)
          .filter(([a, b]) => b > a)
          .map(([start, end], i) => ({ ruleId: `r${i}`, start, end, secret: text.slice(start, end) }));
        const code = sqlCodeSpans(text, reading);
        const clipped = clipToCode(text, findings, code);
        for (const c of clipped) {
          const from = findings.find((f) => f.ruleId === c.ruleId && f.start === c.start && f.end >= c.end);
          assert.ok(from, 'each output comes from an input, cut at most');
          assert.equal(c.secret, text.slice(c.start, c.end));
          const inCode = code.some((s) => s.start <= c.start && c.start < s.end);
          if (inCode) assert.equal(c.end, from.end, 'a match that begins in code is left whole');
          else assert.ok(!code.some((s) => s.start > c.start && s.start < c.end), 'no code after its start');
        }
      },
    ),
  );
});

test('a key header in a comment stops before the next line of code; keys in strings are untouched', () => {
  const text = "UPDATE t SET b = 0 WHERE id = 1\n-- -----BEGIN PRIVATE KEY-----\nOR true; SELECT 'x'";
  const start = text.indexOf('-----BEGIN');
  const finding: RawFinding = { ruleId: 'private-key', start, end: text.length - 12, secret: '' };
  const [cut] = clipToCode(
    text,
    [{ ...finding, secret: text.slice(start, finding.end) }],
    sqlCodeSpans(text, 'standard'),
  );
  assert.equal(text.slice(cut!.start, cut!.end), '-----BEGIN PRIVATE KEY-----');
  const literal = "INSERT INTO k VALUES ('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----')";
  const inside: RawFinding = {
    ruleId: 'private-key',
    start: 23,
    end: literal.length - 2,
    secret: literal.slice(23, -2),
  };
  assert.deepEqual(clipToCode(literal, [inside], sqlCodeSpans(literal, 'both')), [inside]);
});

test('where the readings differ, a stretch either takes for a string is not cut', () => {
  // MySQL reads 'a\' as an open string running on; PostgreSQL ends it at the backslash.
  const text = "SELECT 'a\\' -- -----BEGIN PRIVATE KEY-----\nor x'";
  const start = text.indexOf('-----BEGIN');
  const f: RawFinding = { ruleId: 'private-key', start, end: text.length - 1, secret: text.slice(start, -1) };
  assert.deepEqual(clipToCode(text, [f], sqlCodeSpans(text, 'both')), [f]);
  assert.notDeepEqual(clipToCode(text, [f], sqlCodeSpans(text, 'standard')), [f]);
});
