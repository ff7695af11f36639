import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../core/events.js';
import { describeMcpAction } from './action-facts.js';
import { argumentReadings } from './argument-readings.js';

const texts = (args: Record<string, unknown>) => {
  const facts = describeMcpAction('mcp.call', { tool: 'read_file', arguments: args as never })!;
  return [facts.text, ...facts.alternateTexts];
};

test('a file path reads with its dot segments and doubled slashes resolved, and with backslashes as separators', () => {
  assert.deepEqual(texts({ path: 'notes/../secrets/key' }), [
    'read_file {"path":"notes/../secrets/key"}',
    'read_file {"path":"secrets/key"}',
  ]);
  assert.ok(texts({ path: './secrets//key' }).includes('read_file {"path":"secrets/key"}'));
  assert.ok(texts({ path: '/tmp/../etc/passwd' }).includes('read_file {"path":"/etc/passwd"}'));
  assert.ok(texts({ path: 'notes\\..\\secrets\\key' }).includes('read_file {"path":"secrets/key"}'));
  assert.ok(texts({ uri: 'file:///tmp/../etc/shadow' }).includes('read_file {"uri":"file:///etc/shadow"}'));
  assert.ok(texts({ files: [{ to: 'a/./b' }] }).includes('read_file {"files":[{"to":"a/b"}]}'));
});

test('what is not a file path, or is already resolved, has no other reading', () => {
  const plain: JsonObject[] = [
    { path: 'secrets/key' },
    { url: 'https://example.com/a/../b' },
    { q: 'a or b', n: 3, ok: true, none: null },
    { path: '/etc/passwd' },
  ];
  for (const args of plain) {
    assert.deepEqual(argumentReadings(args), [], JSON.stringify(args));
  }
});

test('every reading of any path is resolved: no dot segment after a name, no empty segment inside', () => {
  const part = fc.constantFrom('a', 'secrets', '.', '..', '', 'x.y', '\\', '..\\b');
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 8 }), fc.boolean(), (parts, absolute) => {
      const path = (absolute ? '/' : '') + parts.join('/');
      for (const reading of argumentReadings({ path })) {
        const p = (reading as { path: string }).path;
        const segments = p.split('/');
        for (const [i, s] of segments.entries()) {
          // posix.normalize reads `a/..` as `.` and `a/../` as `./`.
          assert.ok(s !== '.' || p === '.' || p === './', p);
          if (s === '..')
            assert.ok(
              segments.slice(0, i).every((x) => x === '..' || x === ''),
              p,
            );
          if (s === '') assert.ok(i === 0 || i === segments.length - 1, p);
        }
      }
    }),
    { numRuns: 2000 },
  );
});
