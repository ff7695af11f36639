// The SCIM part of the AccessStore contract: tokens found by hash only, listed, revoked once (kept,
// with their expiry and revocation time); users and groups round-trip,
// names unique case-insensitively (scim_conflict), deleting a user removes its memberships, and every
// write moves the access version (a gateway sees a deprovisioning with one read).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../../src/core/errors.js';
import type { ScimGroupRecord, ScimTokenRecord, ScimUserRecord } from '../../src/core/ports.js';
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

function scimToken(id: string, name: string, hashChar: string, overrides: Partial<ScimTokenRecord> = {}) {
  return {
    id,
    name,
    tokenHash: hashChar.repeat(64),
    createdAt: at(0),
    expiresAt: at(90 * 86_400_000),
    revokedAt: null,
    ...overrides,
  } satisfies ScimTokenRecord;
}

const conflict = (err: unknown) => err instanceof VigilError && err.code === 'scim_conflict';

export function scimConformance(factory: StoreFactory): void {
  test('SCIM tokens are found by their hash only', () =>
    withStore(factory, async ({ access }) => {
      const record = scimToken('st1', 'okta', 'a');
      await access.createScimToken(record);
      assert.deepEqual(await access.findScimToken('a'.repeat(64)), record);
      assert.equal(await access.findScimToken('st1'), null);
      assert.equal(await access.findScimToken(`${'a'.repeat(63)}%`), null, 'no wildcards');
    }));

  test('SCIM tokens are listed oldest first and revoked once; a revoked token is still found, marked', () =>
    withStore(factory, async ({ access }) => {
      const okta = scimToken('st1', 'okta', 'a');
      const entra = scimToken('st2', 'entra', 'b', { createdAt: at(5), expiresAt: at(10) });
      await access.createScimToken(entra);
      await access.createScimToken(okta);
      assert.deepEqual(await access.listScimTokens(), [okta, entra]);

      const before = await access.accessVersion();
      assert.equal(await access.revokeScimToken('st1', at(7)), 'revoked');
      const after = await access.accessVersion();
      assert.notEqual(after, before, 'a revocation moves the access version');
      assert.deepEqual(await access.findScimToken('a'.repeat(64)), { ...okta, revokedAt: at(7) });
      assert.equal(await access.revokeScimToken('st1', at(8)), 'already_revoked');
      assert.equal(await access.revokeScimToken('st9', at(8)), 'unknown');
      assert.equal(await access.revokeScimToken('st%', at(8)), 'unknown', 'no wildcards');
      assert.equal(await access.accessVersion(), after, 'nothing changed, nothing moved');
      assert.deepEqual(await access.listScimTokens(), [{ ...okta, revokedAt: at(7) }, entra]);
      assert.equal((await access.findScimToken('b'.repeat(64)))?.revokedAt, null, 'only that one');
    }));

  test('SCIM users round-trip and replace by id; userName is unique ignoring case', () =>
    withStore(factory, async ({ access }) => {
      const ada = user('u1', 'ada@example.com');
      await access.putScimUser(ada);
      await access.putScimUser(user('u2', 'bob@example.com', { createdAt: at(3) }));
      assert.deepEqual((await access.listScimUsers())[0], ada);
      await assert.rejects(access.putScimUser(user('u3', 'ADA@example.com')), conflict);
      // Case is ASCII case, as for subjects (core/events.ts, subjectKey): the Kelvin sign is not a k,
      // so \u212Aate is another name than kate, both for Vigil's identities and here.
      await access.putScimUser(user('u4', '\u212Aate@example.com'));
      await access.putScimUser(user('u5', 'kate@example.com'));
      await assert.rejects(access.putScimUser(user('u6', 'KATE@example.com')), conflict);
      await access.deleteScimUser('u4');
      await access.deleteScimUser('u5');
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
      await access.putScimGroup(group('g3', '\u212Aube-admins', []));
      await access.putScimGroup(group('g4', 'kube-admins', []));
      await access.deleteScimGroup('g3');
      await access.deleteScimGroup('g4');
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
