// The database role a gateway runs as (docs/scale-out.md): with exactly the grants the page lists,
// and no right to change the schema, a store opens on a schema `vigil migrate` made and every port
// works; the ledger's history cannot be rewritten or deleted by that role; and where the schema is
// missing, opening fails with store_unavailable instead of half-creating it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import pg from 'pg';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import { approval, at, draft, grant, recorderFor, vote } from './conformance-support.js';

after(() => closeSharedTestPostgres());

/** The SQL block that follows the runtime-grants marker in docs/scale-out.md. */
function documentedGrants(): string {
  const doc = readFileSync('docs/scale-out.md', 'utf8');
  const from = doc.indexOf('<!-- runtime-grants');
  const block = /```sql\n([\s\S]*?)```/.exec(doc.slice(from));
  assert.ok(from >= 0 && block, 'docs/scale-out.md keeps its runtime-grants block');
  return block[1]!;
}

async function asAdmin(url: string, sql: string, values: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql, values);
  } finally {
    await client.end();
  }
}

test('a gateway role with only the documented grants runs every port, and cannot rewrite the ledger', async () => {
  const scratch = await scratchPostgresStore('database');
  const role = `vigil_app_t${process.pid}`;
  const password = 'app-role-password';
  try {
    // The owner (the test server's superuser) migrates, as `vigil migrate` would.
    const owner = await openStore(configSchema.parse({ store: scratch.section }), '/nonexistent');
    await owner.close();
    await asAdmin(scratch.url, `DROP ROLE IF EXISTS ${role}`);
    await asAdmin(scratch.url, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await asAdmin(scratch.url, documentedGrants().replaceAll('vigil_app', role));

    const appUrl = new URL(scratch.url);
    appUrl.username = role;
    appUrl.password = password;
    process.env.VIGIL_TEST_APP_ROLE_URL = appUrl.toString();
    const store = await openStore(
      configSchema.parse({ store: { type: 'postgres', url: 'env:VIGIL_TEST_APP_ROLE_URL' } }),
      '/nonexistent',
    );
    try {
      // The ledger: appends, a purge, a checkpoint.
      const recorder = await recorderFor(store);
      await recorder.append(draft('s', 0), 'llm');
      await recorder.append(draft('s', 1));
      const purged = await store.ledger.purgePayloads(at(1), async () => {
        await recorder.append(
          draft('purge', 2, { type: 'ledger.purged', payload: { ranges: [[0, 0]] } }),
          'cli',
        );
      });
      assert.equal(purged.dropped, 1);
      await store.ledger.appendCheckpoint({
        size: 3,
        root: '0'.repeat(64),
        time: at(3),
        keyId: '0123456789abcdef',
        signature: 'c2ln',
      });
      assert.equal((await store.ledger.listCheckpoints()).length, 1);
      assert.equal((await store.ledger.listSessions({ search: 'ranges' })).length, 1);
      // Access state, approvals and grants, SCIM.
      await store.access.createServiceToken({
        id: 'sa1',
        name: 'etl',
        tokenHash: 'f'.repeat(64),
        connections: ['db'],
        createdAt: at(0),
        expiresAt: at(60_000),
        revokedAt: null,
      });
      assert.equal(await store.access.revokeToken('sa1', at(1)), true);
      await store.access.disableIdentity('bob', at(2), 'left');
      assert.equal(await store.access.enableIdentity('bob'), true);
      await store.approvals.createApproval(approval('a1'));
      assert.equal((await store.approvals.addVote('a1', vote('carol', 'approve', 1))).outcome, 'recorded');
      await store.approvals.createGrant(grant('g1'));
      assert.equal(await store.approvals.revokeGrant('g1', at(5), 'carol'), true);
      await store.access.putScimUser({
        id: 'u1',
        userName: 'ada@example.com',
        externalId: null,
        active: true,
        attributes: {},
        tokensRevokedAt: null,
        createdAt: at(0),
        updatedAt: at(0),
        version: 1,
      });
      await store.access.putScimGroup({
        id: 'g1',
        displayName: 'ai-eng',
        externalId: null,
        members: ['u1'],
        createdAt: at(0),
        updatedAt: at(0),
        version: 1,
      });
      assert.equal(await store.access.deleteScimGroup('g1'), true);
      assert.equal(await store.access.deleteScimUser('u1'), true);
    } finally {
      await store.close();
    }

    // History cannot be rewritten or removed by the gateway's role.
    for (const sql of [
      "UPDATE vigil.events SET hash = 'x'",
      "UPDATE vigil.events SET type = 'session.end'",
      'DELETE FROM vigil.events',
      'DELETE FROM vigil.checkpoints',
      'TRUNCATE vigil.events',
      'DROP TABLE vigil.events',
    ])
      await assert.rejects(asAdmin(appUrl.toString(), sql), { code: /^42501$|^42809$/ }, sql);

    // A schema that does not exist yet cannot be created by this role: the open fails, cleanly.
    await assert.rejects(
      openStore(
        configSchema.parse({
          store: { type: 'postgres', url: 'env:VIGIL_TEST_APP_ROLE_URL', schema: 'elsewhere' },
        }),
        '/nonexistent',
      ),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'store_unavailable');
        assert.doesNotMatch(err.message, new RegExp(password));
        return true;
      },
    );
  } finally {
    delete process.env.VIGIL_TEST_APP_ROLE_URL;
    await scratch.drop();
    const server = new URL(scratch.url);
    server.pathname = '/postgres';
    await asAdmin(server.toString(), `DROP ROLE IF EXISTS ${role}`);
  }
});
