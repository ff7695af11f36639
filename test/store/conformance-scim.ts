// The SCIM part of the AccessStore contract: tokens found by hash only; users and groups round-trip,
// names unique case-insensitively (scim_conflict), deleting a user removes its memberships, and every
// write moves the access version (a gateway sees a deprovisioning with one read).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../../src/core/errors.js';
import type { ScimGroupRecord, ScimUserRecord } from '../../src/core/ports.js';
import { at, type StoreFactory, withStore } from './conformance-support.js';

function user(id: string, userName: string, overrides: Partial<ScimUserRecord> = {}): ScimUserRecord {
  return {
    id,
    userName,
    externalId: `ext-${id}`,
    active: true,
    attributes: { name: { givenName: 'Ada' }, emails: [{ value: userName, primary: true }] },
    tokensRevokedAt: null,
    createdAt: at(1),
    updatedAt: at(1),
    version: 1,
    ...overrides,
  };
}

function group(id: string, displayName: string, members: string[]): ScimGroupRecord {
  return { id, displayName, externalId: null, members, createdAt: at(2), updatedAt: at(2), version: 1 };
}

const conflict = (err: unknown) => err instanceof VigilError && err.code === 'scim_conflict';

export function scimConformance(factory: StoreFactory): void {
  test('SCIM tokens are found by their hash only', () =>
    withStore(factory, async ({ access }) => {
      const record = { id: 'st1', name: 'okta', tokenHash: 'a'.repeat(64), createdAt: at(0) };
      await access.createScimToken(record);
      assert.deepEqual(await access.findScimToken('a'.repeat(64)), record);
      assert.equal(await access.findScimToken('st1'), null);
      assert.equal(await access.findScimToken(`${'a'.repeat(63)}%`), null, 'no wildcards');
    }));

  test('SCIM users round-trip and replace by id; userName is unique ignoring case', () =>
    withStore(factory, async ({ access }) => {
      const ada = user('u1', 'ada@example.com');
      await access.putScimUser(ada);
      await access.putScimUser(user('u2', 'bob@example.com', { createdAt: at(3) }));
      assert.deepEqual((await access.listScimUsers())[0], ada);
      await assert.rejects(access.putScimUser(user('u3', 'ADA@example.com')), conflict);
      const changed = { ...ada, active: false, tokensRevokedAt: at(9), version: 2 };
      await access.putScimUser(changed);
      assert.deepEqual(
        (await access.listScimUsers()).map((u) => [u.id, u.active, u.tokensRevokedAt]),
        [
          ['u1', false, at(9)],
          ['u2', true, null],
        ],
      );
    }));

  test('SCIM groups keep their members; deleting a user drops its memberships; displayName is unique', () =>
    withStore(factory, async ({ access }) => {
      await access.putScimUser(user('u1', 'ada@example.com'));
      await access.putScimUser(user('u2', 'bob@example.com'));
      await access.putScimGroup(group('g1', 'ai-eng', ['u1', 'u2']));
      await assert.rejects(access.putScimGroup(group('g2', 'AI-ENG', [])), conflict);
      assert.deepEqual((await access.listScimGroups())[0]?.members, ['u1', 'u2']);
      await access.putScimGroup(group('g1', 'ai-eng', ['u2']));
      assert.deepEqual((await access.listScimGroups())[0]?.members, ['u2'], 'a put replaces the members');
      assert.equal(await access.deleteScimUser('u2'), true);
      assert.equal(await access.deleteScimUser('u2'), false);
      assert.deepEqual((await access.listScimGroups())[0]?.members, []);
      assert.equal(await access.deleteScimGroup('g1'), true);
      assert.deepEqual(await access.listScimGroups(), []);
    }));

  test('every SCIM write moves the access version', () =>
    withStore(factory, async ({ access }) => {
      const seen = [await access.accessVersion()];
      await access.putScimUser(user('u1', 'ada@example.com'));
      seen.push(await access.accessVersion());
      await access.putScimGroup(group('g1', 'ai-eng', ['u1']));
      seen.push(await access.accessVersion());
      await access.deleteScimGroup('g1');
      seen.push(await access.accessVersion());
      await access.deleteScimUser('u1');
      seen.push(await access.accessVersion());
      assert.equal(new Set(seen).size, seen.length, `versions ${seen.join(',')}`);
    }));
}
