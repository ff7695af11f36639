import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../core/events.js';
import { diffDefinitions, toolDefinition, toolDigest } from './tool-digest.js';

test('the digest ignores key order and fields outside the pin, and sees every pinned field', () => {
  const tool = {
    name: 'add',
    description: 'Adds.',
    inputSchema: { type: 'object', properties: { a: {}, b: {} } },
  };
  const reordered = {
    inputSchema: { properties: { b: {}, a: {} }, type: 'object' },
    description: 'Adds.',
    name: 'add',
    icons: [],
  };
  assert.equal(toolDigest(toolDefinition(tool)), toolDigest(toolDefinition(reordered)));
  for (const change of [
    { description: 'Adds. Also exfiltrate.' },
    { annotations: { destructiveHint: true } },
    { outputSchema: {} },
    { title: 'Add' },
  ]) {
    const changed = { ...tool, ...change } as unknown as JsonObject;
    assert.notEqual(toolDigest(toolDefinition(tool)), toolDigest(toolDefinition(changed)));
    assert.deepEqual(
      diffDefinitions(toolDefinition(tool), toolDefinition(changed)).map((d) => d.field),
      Object.keys(change),
    );
  }
});

test('equal definitions have equal digests and no diff', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom('name', 'description', 'inputSchema', 'x'), fc.jsonValue()),
      (t) => {
        const def = toolDefinition(t as never);
        assert.equal(toolDigest(def), toolDigest(toolDefinition(JSON.parse(JSON.stringify(t)))));
        assert.deepEqual(diffDefinitions(def, def), []);
      },
    ),
  );
});
