// A flood of connections that never log in, at the PostgreSQL front door. Until 5 December the
// listener took any number of them, each holding a descriptor and buffers for up to 30 s without a
// credential shown, so anyone who could reach the port could exhaust the gateway. Now at most
// `listeners.max_pending_logins` may be logging in at once (5 here): the next client is told
// SQLSTATE 53300, as PostgreSQL tells it past max_connections, until one of them is done. Through
// the gateway, against the real server, with node-postgres and psql.
//
// Until 6 December one address could hold all of those slots itself and lock every other client
// out; now one source may hold at most `listeners.max_pending_logins_per_source` (3 here), and is
// told 53300 beyond that while others still log in. Sources are loopback addresses: on Linux all
// of 127/8 is local, and the client binds one with `localAddress`.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { sampleValue, scrape } from '../metrics/scrape.js';
import { TOKENS } from '../support/gateway.js';
import { type PgFixture, runClient, startPgFixture, vigilClient } from './pg-gateway.js';

const LIMIT = 5;
const PER_SOURCE = 3;
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_login_flood',
    {},
    {},
    {
      listeners: { max_pending_logins: LIMIT, max_pending_logins_per_source: PER_SOURCE },
      metrics: { enabled: true },
    },
  );
});
after(() => f.close());

/** A raw socket connected to the gateway's pg listener from `from`. */
async function connectFrom(from: string): Promise<Socket> {
  const socket = connect({ host: f.host, port: f.port, localAddress: from });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return socket;
}

/** LIMIT sockets connected to the listener that never send a byte, each from an address of its own. */
async function flood(): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < LIMIT; i++) sockets.push(await connectFrom(`127.0.0.${10 + i}`));
  return sockets;
}

/** The SQLSTATE of the first ErrorResponse a raw client from `from` is sent after its StartupMessage. */
async function rawLoginFrom(from: string): Promise<string> {
  const socket = await connectFrom(from);
  const params = Buffer.from('user\0alice\0database\0vigil\0\0');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  socket.write(Buffer.concat([startup, params]));
  // The first whole message: a type byte and a length that counts itself.
  let reply = Buffer.alloc(0);
  await new Promise<void>((resolve) => {
    socket.on('data', (b: Buffer) => {
      reply = Buffer.concat([reply, b]);
      if (reply.length >= 5 && reply.length >= 1 + reply.readInt32BE(1)) resolve();
    });
    socket.once('close', () => resolve());
  });
  socket.destroy();
  if (reply[0] !== 0x45) return `not an ErrorResponse: ${reply.subarray(0, 1).toString()}`;
  // Fields after the 5-byte header: a type byte, a C string, until a zero byte.
  for (let at = 5; at < reply.length && reply[at] !== 0; ) {
    const end = reply.indexOf(0, at + 1);
    if (reply[at] === 0x43) return reply.subarray(at + 1, end).toString();
    at = end + 1;
  }
  return 'no SQLSTATE';
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

test('one address trying to take every slot holds only its share: another still logs in, it is told 53300', async () => {
  const held: Socket[] = [];
  try {
    // As many as the listener holds, from one address: the ones past its share are refused.
    for (let i = 0; i < LIMIT; i++) held.push(await connectFrom('127.0.0.2'));
    // The address's next client is refused in PostgreSQL's words, as past the listener's bound.
    assert.equal(await rawLoginFrom('127.0.0.2'), '53300');
    // Clients from another address log in, with node-postgres and with psql.
    assert.equal(await login(), 'ok');
    const psql = await runClient('psql', ['-X', '-At', '-c', 'SELECT 41 + 1'], f, TOKENS.alice);
    assert.equal(psql.code, 0, psql.stderr);
    assert.equal(psql.stdout.trim(), '42');
    const metrics = await scrape(f.gateway.url, TOKENS.alice);
    assert.ok(sampleValue(metrics, 'vigil_logins_refused_total', { connection: 'pg', cap: 'source' }) >= 1);
  } finally {
    for (const s of held) s.destroy();
  }
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
