// Attacker: the user `deploy` beside the service account `deploy` (made as `vigil token create
// --service-account deploy` makes it), one subject and two holders. A KILL through Vigil reaches only
// the caller's own connections; owned by subject alone, each could stop the other's statements and
// end the other's connections. Real parts: MariaDB, the gateway, the mysql2 client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { TEST_IDENTITIES } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { type MysqlFixture, startMysqlFixture, vigilOptions } from './mysql-gateway.js';

const USER_DEPLOY = 'tok-deploy-user-0123456789';
const unavailable = mariadbUnavailable();
const skip = unavailable ?? false;
let f: MysqlFixture;
let serviceDeploy: string;

before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture(
    'vigil_namesake_kill',
    { allow: ['user:deploy', 'service:deploy'] },
    {
      identities: [
        ...TEST_IDENTITIES,
        { name: 'deploy', groups: [], roles: ['user'], token_sha256: hashToken(USER_DEPLOY) },
      ],
    },
  );
  serviceDeploy = (
    await createServiceToken(f.gateway.store.access, {
      name: 'deploy',
      connections: ['my'],
      ttlMs: 3_600_000,
    })
  ).token;
});
after(async () => {
  if (f) await f.close();
});

const connect = (token: string) => mysql.createConnection({ ...vigilOptions(f, token), user: 'deploy' });

for (const [killerName, killerToken, victimName, victimToken] of [
  ['the user deploy', () => USER_DEPLOY, 'the service account deploy', () => serviceDeploy],
  ['the service account deploy', () => serviceDeploy, 'the user deploy', () => USER_DEPLOY],
] as const) {
  test(`${killerName} cannot KILL a connection of ${victimName}`, { skip }, async () => {
    const victim = await connect(victimToken());
    const killer = await connect(killerToken());
    try {
      await assert.rejects(killer.query(`KILL QUERY ${victim.threadId}`), { errno: 1094 });
      await assert.rejects(killer.query(`KILL ${victim.threadId}`), { errno: 1094 });
      const [rows] = await victim.query('select 3 as n');
      assert.deepEqual(rows, [{ n: 3 }], "the other holder's connection is untouched");
      // Their own connections they still stop.
      const own = await connect(killerToken());
      await killer.query(`KILL ${own.threadId}`);
      await assert.rejects(own.query('select 1'));
      own.destroy();
    } finally {
      victim.destroy();
      killer.destroy();
    }
  });
}
