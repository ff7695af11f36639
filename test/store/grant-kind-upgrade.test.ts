// Upgrading a store whose grants were stored without the grantee's kind: each takes the kind of the
// requester of the request it came from (the approvals row holds it), so a service account's grant
// stays the service account's and a user's the user's, though both are `deploy`; a grant without
// its request row is a user's. On SQLite and PostgreSQL: the store is opened as the gateway opens it,
// set back to the schema before that migration (the column dropped, the migration unrecorded), and
// opened again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import type { StoreBundle } from '../../src/core/ports.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import { approval, grant } from './conformance-support.js';
import { sqliteDatabase } from './sqlite-handle.js';

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

test('SQLite: grants from before the kind take their request’s requester kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-grant-kind-'));
  const config = configSchema.parse({ store: { type: 'sqlite' }, append_in_worker: false });
  try {
    const store = await openStore(config, dir);
    await seed(store);
    const db = sqliteDatabase(store);
    // The grant kind migration is the one before the newest (SCIM keys folded as subjects, which
    // changes no schema and runs again harmlessly): set the schema back to just before it.
    db.exec(`
      ALTER TABLE grants DROP COLUMN subject_kind;
      DELETE FROM schema_migrations WHERE version >= (SELECT MAX(version) - 1 FROM schema_migrations);
    `);
    await store.close();
    const upgraded = await openStore(config, dir);
    try {
      await assertUpgraded(upgraded);
    } finally {
      await upgraded.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: grants from before the kind take their request’s requester kind', async () => {
  const scratch = await scratchPostgresStore('schema');
  const config = configSchema.parse({ store: scratch.section });
  const version = POSTGRES_MIGRATIONS.findIndex((sql) => ADDS_KIND.test(sql)) + 1;
  assert.ok(version > 0);
  try {
    const store = await openStore(config, '/nonexistent');
    await seed(store);
    await store.close();
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${scratch.schema}"`);
      await client.query('ALTER TABLE grants DROP COLUMN subject_kind');
      // Those after it (SCIM keys folded as subjects: data only) run again harmlessly.
      assert.equal(version, POSTGRES_MIGRATIONS.length - 1, 'a newer migration: undo it here as well');
      await client.query('DELETE FROM schema_migrations WHERE version >= $1', [version]);
    } finally {
      await client.end();
    }
    const upgraded = await openStore(config, '/nonexistent');
    try {
      await assertUpgraded(upgraded);
    } finally {
      await upgraded.close();
    }
  } finally {
    await scratch.drop();
  }
});
