// A database connection without a `credential` logs in with the password of its upstream URL
// (`postgres://app:…@db/app`): Vigil injects it as it injects a credential, so it must be masked
// as one. It was not a known secret: a password of words, typed by the user or quoted back by the
// server, reached the ledger and the debug log in clear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { TOKENS } from '../support/gateway.js';
import { createScratchDatabase, startTestPostgres, urlWithRolePassword } from '../support/postgres-server.js';
import { leaksIn, startLoggedGateway } from './logged-gateway.js';

const URL_PASSWORD = 'tangerine ladder nocturne';

test('PostgreSQL: the password in the upstream URL is masked like an injected credential', {
  timeout: 120_000,
}, async () => {
  const server = await startTestPostgres();
  // A role whose password this is, so a server that checks passwords (embedded) accepts it too.
  const scratch = new URL(
    await urlWithRolePassword(
      server,
      await createScratchDatabase(server, 'vigil_leak_upstream_url'),
      'vigil_leak_url_role',
      URL_PASSWORD,
    ),
  );
  scratch.password = encodeURIComponent(URL_PASSWORD);
  const { gateway, dataDir, listener } = await startLoggedGateway({
    connections: [
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: scratch.toString(),
        allow: ['*'],
        record_rows: 10,
      },
    ],
  });
  try {
    const client = new pg.Client({ ...listener('pg'), user: 'alice', database: 'x', password: TOKENS.alice });
    await client.connect();
    const r = await client.query(`SELECT 'was it ${URL_PASSWORD}?' AS guess`);
    assert.equal(r.rows[0].guess, `was it ${URL_PASSWORD}?`);
    await assert.rejects(client.query(`SELECT '${URL_PASSWORD}'::integer`), /invalid input syntax/);
    await client.end();
    await gateway.recorder.drain();
    await gateway.close();
    assert.deepEqual(leaksIn(dataDir, [URL_PASSWORD, encodeURIComponent(URL_PASSWORD)]), []);
  } finally {
    await gateway.close().catch(() => undefined);
    await server.close();
  }
});
