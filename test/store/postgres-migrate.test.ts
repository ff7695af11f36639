// `vigil migrate` on PostgreSQL: it needs only the configuration; migrations are versioned, each is
// applied once even when several migrators (gateways starting together) race, and a second run
// finds the schema current.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { configSchema } from '../../src/protocols/index.js';
import { migrateStore } from '../../src/store/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { runCli } from '../support/cli.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';

after(() => closeSharedTestPostgres());

const ALL = POSTGRES_MIGRATIONS.map((_, i) => i + 1);

test('vigil migrate creates the schema once; a second run finds it current', async () => {
  const scratch = await scratchPostgresStore('database');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-migrate-'));
  const configFile = join(dir, 'vigil.yaml');
  writeFileSync(configFile, `data: ./data\nstore:\n  type: postgres\n  url: ${scratch.section.url}\n`);
  try {
    const first = await runCli(['--config', configFile, 'migrate', '--json']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout), { type: 'postgres', applied: ALL, version: ALL.length });
    const again = await runCli(['--config', configFile, 'migrate']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`schema version ${ALL.length}, already current`));
    assert.doesNotMatch(first.stdout + first.stderr + again.stdout + again.stderr, /postgres:\/\//);

    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM vigil.schema_migrations ORDER BY version');
      assert.deepEqual(
        rows.map((r: { version: number }) => r.version),
        ALL,
      );
    } finally {
      await client.end();
    }
  } finally {
    await scratch.drop();
  }
});

test('migrators racing on one schema apply each migration exactly once', async () => {
  const scratch = await scratchPostgresStore('schema');
  const config = configSchema.parse({ store: scratch.section });
  try {
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => migrateStore(config, '/nonexistent')));
    const applied = outcomes.flatMap((o) => o.applied ?? []);
    assert.deepEqual(
      applied.sort((a, b) => a - b),
      ALL,
      'every version applied by exactly one migrator',
    );
    assert.ok(outcomes.every((o) => o.version === ALL.length));
  } finally {
    await scratch.drop();
  }
});
