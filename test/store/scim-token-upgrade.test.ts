// Upgrading a store whose SCIM tokens were issued before they could expire: the migration gives each
// the longest lifetime a new token may have (365 days) counted from the upgrade, so none lives
// forever and none stops working at the upgrade; none is revoked. On SQLite and PostgreSQL: the
// store is opened as the gateway opens it, set back to the schema before that migration (the
// columns dropped, the migration unrecorded), and opened again.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ScimTokenRecord, StoreBundle } from '../../src/core/ports.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { upgradePostgres, upgradeSqlite } from './upgrade-support.js';

after(() => closeSharedTestPostgres());

const DAY = 86_400_000;
const LEGACY: ScimTokenRecord = {
  id: 'scim_legacy',
  name: 'okta',
  tokenHash: 'c'.repeat(64),
  createdAt: '2024-01-01T00:00:00.000Z',
  expiresAt: '2024-01-02T00:00:00.000Z',
  revokedAt: null,
};

async function assertUpgraded(store: StoreBundle, upgradedAt: number): Promise<void> {
  const [token] = await store.access.listScimTokens();
  assert.ok(token);
  const { expiresAt, ...rest } = token;
  const { expiresAt: _, ...legacy } = LEGACY;
  assert.deepEqual(rest, legacy);
  const lifetime = Date.parse(expiresAt) - upgradedAt;
  assert.ok(lifetime > 365 * DAY - 60_000 && lifetime <= 365 * DAY + 60_000, `expires ${expiresAt}`);
  assert.match(expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'an ISO time like every other');
}

const seed = (store: StoreBundle) => store.access.createScimToken(LEGACY);
/** When the store was set back: the upgrade, which the lifetime is counted from, follows at once. */
let upgradedAt = 0;

test('SQLite: tokens from before expiry get 365 days from the upgrade', () =>
  upgradeSqlite(
    seed,
    (db) => {
      // The SCIM token migration is the fourth newest (then the grant kind, SCIM keys folded as
      // subjects, which changes no schema, and the overdue index, made only if missing): set the
      // schema back to just before it.
      db.exec(`
        ALTER TABLE scim_tokens DROP COLUMN expires_at;
        ALTER TABLE scim_tokens DROP COLUMN revoked_at;
        ALTER TABLE grants DROP COLUMN subject_kind;
        DELETE FROM schema_migrations WHERE version >= (SELECT MAX(version) - 3 FROM schema_migrations);
      `);
      upgradedAt = Date.now();
    },
    (store) => assertUpgraded(store, upgradedAt),
  ));

test('PostgreSQL: tokens from before expiry get 365 days from the upgrade', () => {
  const version =
    POSTGRES_MIGRATIONS.findIndex((sql) => /ALTER TABLE scim_tokens ADD COLUMN expires_at/.test(sql)) + 1;
  assert.ok(version > 0);
  return upgradePostgres(
    seed,
    async (client) => {
      await client.query('ALTER TABLE scim_tokens DROP COLUMN expires_at, DROP COLUMN revoked_at');
      // Every migration from it on runs again; those after it are undone here too (the grant kind;
      // the SCIM keys' folding changes no schema, the overdue index is made only if missing).
      await client.query('ALTER TABLE grants DROP COLUMN subject_kind');
      assert.equal(version, POSTGRES_MIGRATIONS.length - 3, 'a newer migration: undo it here as well');
      await client.query('DELETE FROM schema_migrations WHERE version >= $1', [version]);
      upgradedAt = Date.now();
    },
    (store) => assertUpgraded(store, upgradedAt),
  );
});
