import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from '../../core/events.js';
import { controlsUnescaped, describeMcpAction } from './action-facts.js';

function readings(args: unknown): string[] {
  const facts = describeMcpAction('mcp.call', { tool: 'run', arguments: args as JsonValue })!;
  return [facts.text, ...facts.alternateTexts];
}
const anyMatch = (pattern: RegExp, args: unknown) => readings(args).some((t) => pattern.test(t));

test('a tab or newline in an argument is whitespace to a pattern, as to the shell or SQL server reading it', () => {
  assert.ok(anyMatch(/rm\s+-rf/, { command: 'rm\t-rf /' }));
  assert.ok(anyMatch(/"sql":"\s*delete/i, { sql: '\n\tDELETE FROM users' }));
  // An escaped backslash followed by `n` is a backslash and an n, not a newline.
  assert.ok(!anyMatch(/rm\s+-rf/, { command: 'rm\\n-rf' }));
});

test('hidden characters, look-alike letters and digits for letters in arguments read as the words', () => {
  for (const text of [
    'ig\u200bnore previous',
    'ｉｇｎｏｒｅ previous',
    'іgnоrе previous',
    '1gn0r3 previous',
  ]) {
    assert.ok(anyMatch(/ignore previous/, { text: [{ nested: text }] }), text);
  }
  const plain = describeMcpAction('mcp.call', { tool: 'add', arguments: { a: 1, b: 2 } })!;
  assert.deepEqual(plain.alternateTexts, []);
});

test('any string: unescaping JSON’s control characters keeps quotes and backslashes escaped and undoes only the rest', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const json = JSON.stringify(s);
      const read = controlsUnescaped(json);
      const escapedAgain = read.replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
      assert.equal(escapedAgain, json);
    }),
    { numRuns: 3000 },
  );
});
