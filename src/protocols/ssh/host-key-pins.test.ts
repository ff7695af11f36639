// Host-key pins over the module state: first use pins, the same key passes, another is refused,
// a configured key wins, an earlier version's file is moved in without overriding a stored pin, and
// two replicas meeting an upstream first with different keys cannot both trust theirs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JsonObject } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/ports.js';
import { HostKeyPins } from './host-key-pins.js';

/** The port's contract in memory (the stores' own is test/store/conformance-module-state.ts). */
function memoryState(): ModuleStateStore {
  const records = new Map<string, JsonObject>();
  return {
    get: async (ns, key) => records.get(`${ns}\u0000${key}`) ?? null,
    list: async (ns) =>
      [...records]
        .filter(([k]) => k.startsWith(`${ns}\u0000`))
        .map(([k, value]) => ({ key: k.slice(ns.length + 1), value })),
    put: async (ns, key, value) => {
      records.set(`${ns}\u0000${key}`, value);
    },
    putIfAbsent: async (ns, key, value) => {
      const k = `${ns}\u0000${key}`;
      if (!records.has(k)) records.set(k, value);
      return records.get(k)!;
    },
  };
}

test('first use pins; the same key is pinned after; another key is refused; a configured key wins', async () => {
  const pins = new HostKeyPins(memoryState());
  assert.equal((await pins.check('box', 'h:22', 'SHA256:a')).trust, 'first-use');
  assert.equal((await pins.check('box', 'h:22', 'SHA256:a')).trust, 'pinned');
  await assert.rejects(pins.check('box', 'h:22', 'SHA256:b'), { code: 'upstream_host_key_changed' });
  assert.equal((await pins.check('box', 'h:22', 'SHA256:b', 'SHA256:b')).trust, 'configured');
  await assert.rejects(pins.check('box', 'h:22', 'SHA256:a', 'SHA256:b'), {
    code: 'upstream_host_key_changed',
  });
  assert.equal((await pins.check('other', 'h:22', 'SHA256:b')).trust, 'first-use', 'pins are per connection');
});

test("an earlier version's pin file is moved into the store; a pin already stored wins", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-host-pins-'));
  mkdirSync(join(dataDir, 'ssh'));
  writeFileSync(
    join(dataDir, 'ssh', 'known_hosts.json'),
    JSON.stringify({
      'box h:22': { fingerprint: 'SHA256:old', first_seen: '2026-01-01T00:00:00.000Z' },
      'db h:22': { fingerprint: 'SHA256:file', first_seen: '2026-01-01T00:00:00.000Z' },
    }),
  );
  const state = memoryState();
  await new HostKeyPins(state).check('db', 'h:22', 'SHA256:stored');
  const pins = new HostKeyPins(state);
  await pins.importLegacy(dataDir);
  assert.equal((await pins.check('box', 'h:22', 'SHA256:old')).trust, 'pinned');
  assert.equal((await pins.check('db', 'h:22', 'SHA256:stored')).trust, 'pinned');
});

test('two replicas meeting an upstream first with different keys: one key is pinned, the other refused', async () => {
  const state = memoryState();
  const [a, b] = [new HostKeyPins(state), new HostKeyPins(state)];
  const results = await Promise.allSettled([
    a.check('box', 'h:22', 'SHA256:a'),
    b.check('box', 'h:22', 'SHA256:b'),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one trusts its key');
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1, 'the other refuses');
});
