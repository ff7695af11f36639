import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../core/events.js';
import { asApproved, diffDefinitions, toolDefinition, toolDigest } from './tool-digest.js';

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
    { _meta: { 'openai/outputTemplate': 'ui://widget/other.html' } },
  ]) {
    const changed = { ...tool, ...change } as unknown as JsonObject;
    assert.notEqual(toolDigest(toolDefinition(tool)), toolDigest(toolDefinition(changed)));
    assert.deepEqual(
      diffDefinitions(toolDefinition(tool), toolDefinition(changed)).map((d) => d.field),
      Object.keys(change),
    );
  }
});

test("a tool's _meta is pinned when it has one; a tool without keeps the digest it had before _meta was covered", () => {
  const tool = { name: 'add', description: 'Adds.', inputSchema: { type: 'object' } };
  // The definition before _meta was covered: the six fields, absent ones as null.
  const before = {
    name: 'add',
    title: null,
    description: 'Adds.',
    inputSchema: { type: 'object' },
    outputSchema: null,
    annotations: null,
  };
  assert.equal(toolDigest(toolDefinition(tool)), toolDigest(before));
  const meta = { ...tool, _meta: { 'openai/outputTemplate': 'ui://widget/add.html' } };
  const swapped = { ...tool, _meta: { 'openai/outputTemplate': 'ui://widget/phish.html' } };
  assert.notEqual(toolDigest(toolDefinition(meta)), toolDigest(toolDefinition(swapped)));
  assert.deepEqual(
    diffDefinitions(toolDefinition(meta), toolDefinition(swapped)).map((d) => d.field),
    ['_meta'],
  );
  // Shown as approved: the approved _meta, or none when the approved tool had none.
  assert.deepEqual(asApproved(swapped, toolDefinition(meta))._meta, meta._meta);
  assert.equal(asApproved(swapped, toolDefinition(tool))._meta, undefined);
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

test('a changed tool shown as approved has exactly the approved digest, whatever the upstream changed', () => {
  const field = fc.option(fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.string())), { nil: undefined });
  const tool = fc.record({
    name: fc.constant('add'),
    title: field,
    description: field,
    inputSchema: field,
    outputSchema: field,
    annotations: field,
    _meta: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
    icons: fc.array(fc.string()),
  });
  fc.assert(
    fc.property(tool, tool, (approvedTool, served) => {
      const clean = (t: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as JsonObject;
      const approved = toolDefinition(clean(approvedTool));
      const shown = asApproved(clean(served), approved);
      assert.equal(toolDigest(toolDefinition(shown)), toolDigest(approved));
      assert.deepEqual(shown.icons, served.icons, 'fields outside the pin stay as served');
      for (const [k, v] of Object.entries(shown)) assert.notEqual(v, null, `${k} is left out, not null`);
    }),
  );
});
