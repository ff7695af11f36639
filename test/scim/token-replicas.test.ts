// Two gateway replicas sharing one store (SQLite in one data directory, and one PostgreSQL database):
// a SCIM token revoked through one replica's admin API is refused on the other replica at its very
// next request, with no wait for a poll, since the SCIM endpoint reads the token from the store on
// every request.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { assertScimError, ScimClient, USER_SCHEMA } from './scim-client.js';

after(() => closeSharedTestPostgres());

const SETTINGS = { identity: { scim: { enabled: true } }, connections: [] };

async function replicas(store: 'sqlite' | 'postgres'): Promise<[TestGateway, TestGateway]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-scim-replicas-'));
  const a = await startTestGateway(SETTINGS, dataDir, { store });
  try {
    const shared = a.postgresStore ? { ...SETTINGS, store: a.postgresStore.section } : SETTINGS;
    return [a, await startTestGateway(shared, dataDir)];
  } catch (err) {
    await a.close();
    throw err;
  }
}

async function adminCall(gateway: TestGateway, method: string, path: string, body?: object) {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { token: string; id: string; revoked?: boolean } };
}

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`${store} store`, () => {
    test('a SCIM token revoked on one replica is refused on the other at its next request', async () => {
      const [a, b] = await replicas(store);
      try {
        const issued = await adminCall(a, 'POST', '/api/scim/tokens', { name: 'okta' });
        assert.equal(issued.status, 201);
        const onA = new ScimClient(a, issued.body.token);
        const onB = new ScimClient(b, issued.body.token);
        assert.equal((await onA.get('/Users')).status, 200);
        assert.equal((await onB.get('/Users')).status, 200);

        const revoked = await adminCall(b, 'DELETE', `/api/scim/tokens/${issued.body.id}`);
        assert.deepEqual([revoked.status, revoked.body.revoked], [200, true]);
        // At once, on both: no poll interval to wait for.
        for (const client of [onA, onB]) {
          const refused = await client.post('/Users', {
            schemas: [USER_SCHEMA],
            userName: 'eve@example.com',
          });
          assertScimError(refused, 401);
          assert.equal(refused.headers.get('x-vigil-error'), 'auth_revoked');
        }
        assert.deepEqual(await a.store.access.listScimUsers(), []);
      } finally {
        await b.close();
        await a.close();
      }
    });
  });
}
