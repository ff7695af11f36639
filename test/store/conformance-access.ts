// The AccessStore contract: service tokens found by hash only, revocation (of service tokens and of
// issued Vigil token ids), disabled identities, and an access version that moves with every change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceTokenRecord } from '../../src/core/ports.js';
import { at, type StoreFactory, withStore } from './conformance-support.js';

function token(id: string, overrides: Partial<ServiceTokenRecord> = {}): ServiceTokenRecord {
  return {
    id,
    name: `svc-${id}`,
    tokenHash: `${id}`.padEnd(64, 'f'),
    connections: ['pg', 'openai'],
    createdAt: at(0),
    expiresAt: at(3_600_000),
    revokedAt: null,
    ...overrides,
  };
}

export function accessConformance(factory: StoreFactory): void {
  test('service tokens round-trip, are found by their hash only, and are listed oldest first', () =>
    withStore(factory, async ({ access }) => {
      const older = token('t1', { createdAt: at(1), connections: [] });
      const newer = token('t2', { createdAt: at(2) });
      await access.createServiceToken(newer);
      await access.createServiceToken(older);
      assert.deepEqual(await access.findServiceToken(newer.tokenHash), newer);
      assert.deepEqual(await access.findServiceToken(older.tokenHash), older, 'no connections stays none');
      assert.equal(await access.findServiceToken('t2'), null, 'the id is not a hash');
      assert.equal(
        await access.findServiceToken(newer.tokenHash.toUpperCase()),
        null,
        'hashes match exactly',
      );
      assert.equal(await access.findServiceToken(`${newer.tokenHash.slice(0, 63)}%`), null, 'no wildcards');
      assert.deepEqual(await access.listServiceTokens(), [older, newer]);
    }));

  test('revocation: a service token once, an issued token id once; both are listed as revoked', () =>
    withStore(factory, async ({ access }) => {
      await access.createServiceToken(token('svc'));
      assert.equal(await access.revokeToken('svc', at(10)), true);
      assert.equal(await access.revokeToken('svc', at(20)), false, 'already revoked');
      assert.equal((await access.findServiceToken(token('svc').tokenHash))?.revokedAt, at(10));

      // Vigil tokens are not stored when issued: their id is recorded when revoked.
      assert.equal(await access.revokeToken('vt-123', at(30)), true);
      assert.equal(await access.revokeToken('vt-123', at(40)), false);
      assert.deepEqual([...(await access.revokedTokenIds())].sort(), ['svc', 'vt-123']);
    }));

  test('disabled identities: disable (again, with a new reason), list, enable once', () =>
    withStore(factory, async ({ access }) => {
      await access.disableIdentity('alice', at(1), 'left the company');
      await access.disableIdentity('bob', at(2), 'on leave');
      await access.disableIdentity('alice', at(3), 'laptop stolen');
      assert.deepEqual(
        (await access.disabledIdentities()).sort((x, y) => x.subject.localeCompare(y.subject)),
        [
          { subject: 'alice', disabledAt: at(3), reason: 'laptop stolen' },
          { subject: 'bob', disabledAt: at(2), reason: 'on leave' },
        ],
      );
      assert.equal(await access.enableIdentity('alice'), true);
      assert.equal(await access.enableIdentity('alice'), false);
      assert.equal(await access.enableIdentity('nobody'), false);
      assert.deepEqual(
        (await access.disabledIdentities()).map((d) => d.subject),
        ['bob'],
      );
    }));

  test('the access version changes with every change, so a gateway notices with one read', () =>
    withStore(factory, async ({ access }) => {
      const seen = [await access.accessVersion()];
      const changed = async (what: string) => {
        const version = await access.accessVersion();
        assert.ok(!seen.includes(version), `${what} changed the version (still ${version})`);
        seen.push(version);
      };
      assert.equal(await access.accessVersion(), seen[0], 'reading changes nothing');
      await access.createServiceToken(token('svc'));
      await changed('creating a token');
      await access.revokeToken('svc', at(1));
      await changed('revoking a service token');
      await access.revokeToken('vt-1', at(2));
      await changed('revoking an issued token');
      await access.disableIdentity('alice', at(3), 'left');
      await changed('disabling');
      await access.enableIdentity('alice');
      await changed('enabling');
    }));

  test('a used assertion is remembered until its time, once among concurrent uses, then may be used again', () =>
    withStore(factory, async ({ access }) => {
      const key = 'k'.repeat(64);
      assert.equal(await access.assertionUsed(key, at(0)), false);
      const uses = await Promise.all(
        Array.from({ length: 5 }, () => access.rememberAssertion(key, at(100), at(0))),
      );
      assert.deepEqual(
        uses.filter(Boolean).length,
        1,
        'one of five concurrent uses of one assertion is fresh',
      );
      assert.equal(await access.assertionUsed(key, at(99)), true);
      assert.equal(await access.rememberAssertion(key, at(200), at(99)), false, 'a replay before its time');
      assert.equal(await access.assertionUsed(key, at(100)), false, 'forgotten at its time');
      assert.equal(await access.rememberAssertion(key, at(300), at(100)), true);
      assert.equal(await access.assertionUsed(key, at(250)), true, 'remembered until the new time');
      assert.equal(await access.rememberAssertion('j'.repeat(64), at(50), at(0)), true, 'keys are separate');
    }));
}
