// Upgrading a store whose grants were stored without the grantee's kind: each takes the kind of the
// requester of the request it came from (the approvals row holds it), so a service account's grant
// stays the service account's and a user's the user's, though both are `deploy`; a grant without
// its request row is a user's. On SQLite and PostgreSQL: the store is opened as the gateway opens it,
// set back to the schema before that migration (the column dropped, the migration unrecorded), and
// opened again.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { StoreBundle } from '../../src/core/ports.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { approval, grant } from './conformance-support.js';
import { upgradePostgres, upgradeSqlite } from './upgrade-support.js';

after(() => closeSharedTestPostgres());

const ADDS_KIND = /ALTER TABLE grants ADD COLUMN subject_kind/;

/** Grants of a user and a service account both named deploy, and one whose request row is gone. */
async function seed(store: StoreBundle): Promise<void> {
  await store.approvals.createApproval(
    approval('a-user', { kind: 'access', requester: { subject: 'deploy', kind: 'user', groups: [] } }),
  );
  await store.approvals.createApproval(
    approval('a-service', { kind: 'access', requester: { subject: 'deploy', kind: 'service', groups: [] } }),
  );
  // The kinds given here are what the migration must work out again once the column is dropped.
  await store.approvals.createGrant(grant('g-user', { subject: 'deploy', approvalId: 'a-user' }));
  await store.approvals.createGrant(
    grant('g-service', { subject: 'deploy', subjectKind: 'service', approvalId: 'a-service' }),
  );
  await store.approvals.createGrant(
    grant('g-orphan', { subject: 'deploy', subjectKind: 'service', approvalId: 'a-never-written' }),
  );
}

async function assertUpgraded(store: StoreBundle): Promise<void> {
  const kinds = Object.fromEntries(
    (await store.approvals.listGrants({ subject: 'deploy' })).map((g) => [g.id, g.subjectKind]),
  );
  assert.deepEqual(kinds, { 'g-user': 'user', 'g-service': 'service', 'g-orphan': 'user' });
}

test('SQLite: grants from before the kind take their request’s requester kind', () =>
  upgradeSqlite(
    seed,
    (db) =>
      // The grant kind migration is the third newest (SCIM keys folded as subjects, which changes no
      // schema, and the overdue index, made only if missing, run again harmlessly): set the schema
      // back to just before it.
      db.exec(`
        ALTER TABLE grants DROP COLUMN subject_kind;
        DELETE FROM schema_migrations WHERE version >= (SELECT MAX(version) - 2 FROM schema_migrations);
      `),
    assertUpgraded,
  ));

test('PostgreSQL: grants from before the kind take their request’s requester kind', () => {
  const version = POSTGRES_MIGRATIONS.findIndex((sql) => ADDS_KIND.test(sql)) + 1;
  assert.ok(version > 0);
  return upgradePostgres(
    seed,
    async (client) => {
      await client.query('ALTER TABLE grants DROP COLUMN subject_kind');
      // Those after it (SCIM keys folded as subjects: data only; the overdue index, made only if
      // missing) run again harmlessly.
      assert.equal(version, POSTGRES_MIGRATIONS.length - 2, 'a newer migration: undo it here as well');
      await client.query('DELETE FROM schema_migrations WHERE version >= $1', [version]);
    },
    assertUpgraded,
  );
});
