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

function completionReadings(ref: Record<string, string>): string[] {
  const facts = describeMcpAction('mcp.completion', { ref, argument: { name: 'path', value: 'a' } })!;
  return [facts.text, ...facts.alternateTexts];
}

test("a completion's resource template URI has the readings a resource read's URI has", () => {
  const texts = completionReadings({ type: 'ref/resource', uri: 'SECRET://vault/{key}' });
  assert.ok(
    texts.some((t) => t.startsWith('secret://vault/{key} ')),
    texts.join('\n'),
  );
  const escaped = completionReadings({ type: 'ref/resource', uri: 'file:///srv/%2e%2e/etc/{name}' });
  assert.ok(
    escaped.some((t) => t.startsWith('file:///etc/{name} ')),
    escaped.join('\n'),
  );
  // The text itself stays the URI as sent, so an allow pattern is as strict as it is written.
  assert.ok(texts[0]!.startsWith('SECRET://vault/{key} '));
});

test('a completion ref is read by the field its type names, and by any other it carries', () => {
  const both = completionReadings({ type: 'ref/resource', uri: 'secret://vault', name: 'harmless' });
  assert.ok(both[0]!.startsWith('secret://vault '), both[0]);
  assert.ok(both.some((t) => t.startsWith('harmless ')));
  const prompt = completionReadings({ type: 'ref/prompt', name: 'greet' });
  assert.ok(prompt[0]!.startsWith('greet '));
});
