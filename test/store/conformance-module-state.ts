// The ModuleStateStore contract: records by namespace and key, written whole, listed in key order,
// namespaces apart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type StoreFactory, withStore } from './conformance-support.js';

export function moduleStateConformance(factory: StoreFactory): void {
  test('records round-trip by namespace and key, are replaced whole and listed in key order', () =>
    withStore(factory, async ({ moduleState }) => {
      assert.equal(await moduleState.get('mcp-pins/tools', 'read_file'), null);
      assert.deepEqual(await moduleState.list('mcp-pins/tools'), []);
      const pin = {
        tool: 'read_file',
        seen: { digest: 'd1', definition: { description: 'Reads "a" file ✓' } },
      };
      await moduleState.put('mcp-pins/tools', 'read_file', pin);
      await moduleState.put('mcp-pins/tools', 'add', { tool: 'add', n: 1 });
      await moduleState.put('mcp-pins/other', 'add', { tool: 'add', n: 2 });
      assert.deepEqual(await moduleState.get('mcp-pins/tools', 'read_file'), pin);
      await moduleState.put('mcp-pins/tools', 'add', { tool: 'add', replaced: true });
      assert.deepEqual(await moduleState.list('mcp-pins/tools'), [
        { key: 'add', value: { tool: 'add', replaced: true } },
        { key: 'read_file', value: pin },
      ]);
      assert.deepEqual(await moduleState.list('mcp-pins/other'), [
        { key: 'add', value: { tool: 'add', n: 2 } },
      ]);
      assert.deepEqual(await moduleState.list('mcp-pins'), [], 'a namespace is not a prefix');
    }));

  test('putIfAbsent keeps the first record written, among concurrent writers too', () =>
    withStore(factory, async ({ moduleState }) => {
      const kept = await Promise.all(
        ['a', 'b', 'c', 'd'].map((who) => moduleState.putIfAbsent('ssh-host-keys', 'box h:22', { who })),
      );
      assert.equal(new Set(kept.map((k) => k.who)).size, 1, 'every writer is told the same record');
      assert.deepEqual(await moduleState.get('ssh-host-keys', 'box h:22'), kept[0]);
      assert.deepEqual(await moduleState.putIfAbsent('ssh-host-keys', 'box h:22', { who: 'late' }), kept[0]);
    }));
}
