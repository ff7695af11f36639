// A flood of connections that never log in, at the PostgreSQL front door. Until 5 December the
// listener took any number of them, each holding a descriptor and buffers for up to 30 s without a
// credential shown, so anyone who could reach the port could exhaust the gateway. Now at most
// `listeners.max_pending_logins` may be logging in at once (5 here): the next client is told
// SQLSTATE 53300, as PostgreSQL tells it past max_connections, until one of them is done. Through
// the gateway, against the real server, with node-postgres and psql.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { sampleValue, scrape } from '../metrics/scrape.js';
import { TOKENS } from '../support/gateway.js';
import { connectToListener } from '../support/login-flood.js';
import { type PgFixture, runClient, startPgFixture, vigilClient } from './pg-gateway.js';

const LIMIT = 5;
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_login_flood',
    {},
    {},
    { listeners: { max_pending_logins: LIMIT }, metrics: { enabled: true } },
  );
});
after(() => f.close());

/** LIMIT sockets connected to the listener that never send a byte. */
async function flood(): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < LIMIT; i++) sockets.push(await connectToListener(f.gateway, 'pg'));
  return sockets;
}

/** The SQLSTATE a node-postgres login fails with, or 'ok'. */
async function login(token: string = TOKENS.alice): Promise<string> {
  const c = vigilClient(f, token, { application_name: 'login-flood' });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Tries to log in until it works: the gateway frees a slot when it sees the socket close. */
async function eventuallyLogsIn(): Promise<void> {
  const outcomes: string[] = [];
  for (let i = 0; i < 100; i++) {
    const outcome = await login();
    if (outcome === 'ok') return;
    outcomes.push(outcome);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never logged in: ${outcomes.slice(-3).join(', ')}`);
}

test('past the limit of connections logging in, a client is told 53300, and gets in once they leave', async () => {
  const sockets = await flood();
  try {
    assert.equal(await login(), '53300');
    // psql shows the refusal as the server's error.
    const psql = await runClient('psql', ['-X', '-c', 'SELECT 1'], f, TOKENS.alice);
    assert.notEqual(psql.code, 0);
    assert.match(psql.stderr, /too many connections are logging in/);
    // Operators see the refusals on /metrics, counted per connection.
    const refused = sampleValue(await scrape(f.gateway.url, TOKENS.alice), 'vigil_logins_refused_total', {
      connection: 'pg',
    });
    assert.ok(refused >= 2, `vigil_logins_refused_total{connection="pg"} is ${refused}`);
  } finally {
    for (const s of sockets) s.destroy();
  }
  await eventuallyLogsIn();
});

test('a failed login frees its slot', async () => {
  // More failed logins, one after the other, than there are slots: each frees its own.
  for (let i = 0; i < LIMIT + 2; i++) assert.equal(await login('tok-wrong-0123456789'), '28P01');
  assert.equal(await login(), 'ok');
});

test('sessions already logged in are not counted, and are not disturbed by a flood', async () => {
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < LIMIT + 2; i++) {
      const c = vigilClient(f, TOKENS.alice, { application_name: `login-flood-in-${i}` });
      await c.connect();
      clients.push(c);
    }
    // LIMIT + 2 sessions are in, and a new one still gets in.
    assert.equal(await login(), 'ok');
    const sockets = await flood();
    try {
      assert.equal(await login(), '53300');
      for (const [i, c] of clients.entries())
        assert.equal((await c.query('SELECT $1::int AS n', [i])).rows[0].n, i);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await eventuallyLogsIn();
  } finally {
    for (const c of clients) await c.end();
  }
});
