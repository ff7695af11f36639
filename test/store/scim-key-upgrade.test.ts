// Upgrading a store whose SCIM userName and displayName keys were lower-cased with Unicode's rules:
// the migration folds them as subjects are folded (ASCII case only), so a user provisioned before as
// \u212Aate (the Kelvin sign) no longer blocks kate, whom Vigil has always treated as another person,
// and KATE still clashes with kate. On SQLite and PostgreSQL: the store is opened as the gateway opens
// it, its keys set back to what the earlier code wrote (the migration unrecorded), and opened again.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { VigilError } from '../../src/core/errors.js';
import type { ScimUserRecord, StoreBundle } from '../../src/core/ports.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { upgradePostgres, upgradeSqlite } from './upgrade-support.js';

after(() => closeSharedTestPostgres());

const KELVIN_KATE = '\u212Aate@example.com';
const at = '2026-01-01T00:00:00.000Z';
const user = (id: string, userName: string): ScimUserRecord => ({
  id,
  userName,
  externalId: null,
  active: true,
  attributes: {},
  tokensRevokedAt: null,
  createdAt: at,
  updatedAt: at,
  version: 1,
});
/** What the code before the migration wrote as the keys. */
const OLD_KEYS = {
  user: KELVIN_KATE.toLowerCase(),
  group: '\u212Aube-admins'.toLowerCase(),
};

async function seed(store: StoreBundle): Promise<void> {
  await store.access.putScimUser(user('u1', KELVIN_KATE));
  await store.access.putScimGroup({
    id: 'g1',
    displayName: '\u212Aube-admins',
    externalId: null,
    members: ['u1'],
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
}

async function assertUpgraded(store: StoreBundle): Promise<void> {
  await store.access.putScimUser(user('u2', 'kate@example.com'));
  await store.access.putScimGroup({
    ...(await store.access.listScimGroups())[0]!,
    id: 'g2',
    displayName: 'kube-admins',
    members: [],
  });
  await assert.rejects(
    store.access.putScimUser(user('u3', 'KATE@example.com')),
    (err) => err instanceof VigilError && err.code === 'scim_conflict',
  );
}

test('SQLite: SCIM keys written with Unicode case rules are folded as subjects are', () =>
  upgradeSqlite(
    seed,
    (db) => {
      // The folding migration is the second newest (then the overdue index, made only if missing):
      // its keys are set back and it and the one after it are unrecorded.
      db.prepare('UPDATE scim_users SET user_name_key = ?').run(OLD_KEYS.user);
      db.prepare('UPDATE scim_groups SET name_key = ?').run(OLD_KEYS.group);
      db.exec(
        'DELETE FROM schema_migrations WHERE version >= (SELECT MAX(version) - 1 FROM schema_migrations)',
      );
    },
    assertUpgraded,
  ));

test('PostgreSQL: SCIM keys written with Unicode case rules are folded as subjects are', () =>
  upgradePostgres(
    seed,
    async (client) => {
      await client.query('UPDATE scim_users SET user_name_key = $1', [OLD_KEYS.user]);
      await client.query('UPDATE scim_groups SET name_key = $1', [OLD_KEYS.group]);
      // The folding migration and the overdue index after it (made only if missing) run again.
      await client.query(
        'DELETE FROM schema_migrations WHERE version >= (SELECT MAX(version) - 1 FROM schema_migrations)',
      );
    },
    assertUpgraded,
  ));
