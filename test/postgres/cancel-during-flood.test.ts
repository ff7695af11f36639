// A PostgreSQL cancel while the listener's login slots are full. A CancelRequest comes on a
// connection of its own, so until 5 December a flood of connections that never log in also turned
// away a user's cancel with 53300, and the runaway statement ran on (PostgreSQL serves cancels
// outside max_connections). Now a client beyond the bound has a short window to send a
// CancelRequest, which is served without a login slot and recorded as `db.cancel`; anything else is
// refused as before, and so is one that sends nothing in time. Only a few such clients wait at once.
// Through the gateway, against the real server, with node-postgres' cancel and psql's Ctrl-C.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { StoredEvent } from '../../src/core/events.js';
import { sampleValue, scrape } from '../metrics/scrape.js';
import { TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';

const LIMIT = 5;
/** The listener's allowance of clients beyond the bound waiting to send a cancel (tcp-listener.ts). */
const QUICK_ALLOWANCE = 10;
const QUICK_PER_SOURCE = 5;
/** Well under the one-second window: a client answered sooner was not made to wait for it. */
const AT_ONCE_MS = 600;
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_cancel_flood',
    {},
    {},
    {
      listeners: { max_pending_logins: LIMIT, max_pending_logins_per_source: 3 },
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

/** LIMIT sockets that never send a byte, each from an address of its own: every login slot taken. */
async function flood(): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < LIMIT; i++) sockets.push(await connectFrom(`127.0.0.${10 + i}`));
  return sockets;
}

/** Closes the flood and waits until the listener has seen it go: a client logs in again. */
async function floodOver(sockets: readonly Socket[]): Promise<void> {
  for (const s of sockets) s.destroy();
  for (let i = 0; i < 100; i++) {
    const c = vigilClient(f, TOKENS.alice);
    try {
      await c.connect();
      return;
    } catch {
      await sleep(50);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  assert.fail('the login slots were never free again');
}

/** What the gateway sent a socket until it closed it (or `within` passed), and how long that took. */
async function answer(socket: Socket, within = 5000): Promise<{ sqlstate: string | null; ms: number }> {
  const started = Date.now();
  let reply = Buffer.alloc(0);
  socket.on('data', (b: Buffer) => {
    reply = Buffer.concat([reply, b]);
  });
  await Promise.race([
    new Promise<void>((resolve) => {
      socket.once('end', resolve);
      socket.once('close', resolve);
    }),
    sleep(within),
  ]);
  const ms = Date.now() - started;
  socket.destroy();
  return { sqlstate: sqlstateOf(reply), ms };
}

/** The SQLSTATE of an ErrorResponse at the start of `reply`, or null. */
function sqlstateOf(reply: Buffer): string | null {
  if (reply.length < 5 || reply[0] !== 0x45) return null;
  for (let at = 5; at < reply.length && reply[at] !== 0; ) {
    const end = reply.indexOf(0, at + 1);
    if (reply[at] === 0x43) return reply.subarray(at + 1, end).toString();
    at = end + 1;
  }
  return null;
}

function startupMessage(): Buffer {
  const params = Buffer.from('user\0alice\0database\0vigil\0\0');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, params]);
}

function untyped(code: number, ...ints: number[]): Buffer {
  const b = Buffer.alloc(8 + 4 * ints.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(code, 4);
  for (const [i, n] of ints.entries()) b.writeInt32BE(n, 8 + 4 * i);
  return b;
}

/** node-postgres's own cancel: a second connection sending CancelRequest with the client's key. */
function pgCancel(client: pg.Client): void {
  const canceller = new (pg.Client as unknown as new (o: object) => { cancel(c: unknown, q: unknown): void })(
    { host: f.host, port: f.port },
  );
  canceller.cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
}

/** Waits until the server runs the application's sleep (read directly, not through Vigil). */
async function sleepRunning(app: string): Promise<void> {
  const direct = directClient(f);
  await direct.connect();
  try {
    for (let i = 0; i < 400; i++) {
      const { rows } = await direct.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
        [app],
      );
      if (rows.length > 0) return;
      await sleep(25);
    }
    throw new Error(`the sleep of ${app} never ran`);
  } finally {
    await direct.end();
  }
}

/** Ends whatever the application still runs on the server, so a failing test leaves nothing behind. */
async function terminate(app: string): Promise<void> {
  const direct = directClient(f);
  await direct.connect();
  await direct.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
    app,
  ]);
  await direct.end();
}

async function sessionOf(app: string): Promise<StoredEvent[]> {
  const events = await pgEvents(f);
  const start = events.find((e) => e.type === 'session.start' && e.payload?.application_name === app);
  assert.ok(start, `no session recorded for ${app}`);
  return events.filter((e) => e.sessionId === start.sessionId);
}

/** A raw StartupMessage is refused 53300 at once: the login slots are still full. */
async function stillFull(from = '127.0.0.20'): Promise<void> {
  const socket = await connectFrom(from);
  socket.write(startupMessage());
  assert.equal((await answer(socket)).sqlstate, '53300', 'the login slots are full');
}

async function refusedTotal(): Promise<number> {
  return sampleValue(await scrape(f.gateway.url, TOKENS.alice), 'vigil_logins_refused_total', {
    connection: 'pg',
  });
}

test('during a flood, node-postgres cancels a running statement: 57014 at once, db.cancel on record', async () => {
  const app = 'cancel-flood-pg';
  const client = vigilClient(f, TOKENS.alice, { application_name: app });
  client.on('error', () => undefined);
  await client.connect();
  const sockets = await flood();
  try {
    await stillFull();
    const refused = await refusedTotal();
    const slow = client.query('SELECT pg_sleep(30)');
    await sleepRunning(app);
    const asked = Date.now();
    pgCancel(client);
    const outcome = await Promise.race([
      slow.then(
        () => 'the statement ran to its end',
        (err: { code?: string }) => err.code ?? 'no code',
      ),
      sleep(5000).then(() => 'still running 5 s after the cancel'),
    ]);
    assert.equal(outcome, '57014');
    assert.ok(Date.now() - asked < 5000);
    // The slots were full all along, and the cancel served is not counted as a refusal.
    assert.equal(await refusedTotal(), refused);
    await stillFull();
  } finally {
    await client.end().catch(() => undefined);
    await terminate(app);
    await floodOver(sockets);
  }
  const events = await sessionOf(app);
  const cancelled = events.find((e) => e.type === 'db.cancel');
  const result = events.find((e) => e.type === 'db.result' && e.payload?.sqlstate === '57014');
  assert.ok(cancelled && result, events.map((e) => e.type).join(', '));
  assert.ok(cancelled.seq < result.seq, 'the cancel is recorded before the result');
  assert.equal(cancelled.payload?.in_flight, true);
  assert.equal(cancelled.payload?.peer, '127.0.0.1');
});

test("during a flood, psql's Ctrl-C cancels its statement", async () => {
  const app = 'cancel-flood-psql';
  const psql = spawn('psql', ['-X', '-c', 'SELECT pg_sleep(30)'], {
    env: {
      ...process.env,
      PGHOST: f.host,
      PGPORT: String(f.port),
      PGUSER: 'alice',
      PGDATABASE: 'vigil',
      PGPASSWORD: TOKENS.alice,
      PGSSLMODE: 'disable',
      PGAPPNAME: app,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  psql.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => psql.once('exit', resolve));
  let sockets: Socket[] = [];
  try {
    await sleepRunning(app);
    sockets = await flood();
    await stillFull();
    psql.kill('SIGINT');
    const code = await Promise.race([exited, sleep(5000).then(() => 'still running 5 s after Ctrl-C')]);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /canceling statement due to user request/);
    await stillFull();
  } finally {
    await floodOver(sockets);
    await terminate(app);
    psql.kill('SIGKILL');
    await exited;
  }
  const events = await sessionOf(app);
  assert.ok(
    events.some((e) => e.type === 'db.cancel'),
    events.map((e) => e.type).join(', '),
  );
});

test('during a flood, anything but a cancel is still refused 53300 at once, TLS requests too', async () => {
  const sockets = await flood();
  try {
    const before = await refusedTotal();
    // A StartupMessage, whole or its first four bytes (the length, which differs from a cancel's), an
    // SSLRequest (libpq 17 starts an encrypted cancel with one) and a GSSENCRequest.
    for (const first of [
      startupMessage(),
      startupMessage().subarray(0, 4),
      untyped(80877103),
      untyped(80877104),
    ]) {
      const socket = await connectFrom('127.0.0.20');
      socket.write(first);
      const { sqlstate, ms } = await answer(socket);
      assert.equal(sqlstate, '53300', `after ${first.toString('hex')}`);
      assert.ok(ms < AT_ONCE_MS, `refused after ${ms} ms`);
    }
    // node-postgres logging in is told 53300, as before.
    const c = vigilClient(f, TOKENS.alice);
    await assert.rejects(c.connect(), { code: '53300' });
    // Each is counted as a refusal.
    assert.equal((await refusedTotal()) - before, 5);
  } finally {
    await floodOver(sockets);
  }
});

test('during a flood, a client that sends nothing, or half a cancel, is refused once its window ends', async () => {
  const sockets = await flood();
  try {
    const before = await refusedTotal();
    const silent = await connectFrom('127.0.0.20');
    const half = await connectFrom('127.0.0.21');
    half.write(untyped(80877102, 12345, 67890).subarray(0, 8));
    const answers = await Promise.all([answer(silent), answer(half)]);
    for (const { sqlstate, ms } of answers) {
      assert.equal(sqlstate, '53300');
      assert.ok(ms >= 900 && ms < 3000, `closed after ${ms} ms`);
    }
    assert.equal((await refusedTotal()) - before, 2);
    // A whole cancel with a key no session has is served (and ignored), not refused: closed in silence.
    const stray = await connectFrom('127.0.0.22');
    stray.write(untyped(80877102, 12345, 67890));
    const { sqlstate, ms } = await answer(stray);
    assert.equal(sqlstate, null);
    assert.ok(ms < AT_ONCE_MS, `closed after ${ms} ms`);
  } finally {
    await floodOver(sockets);
  }
});

test('only a few clients beyond the bound wait for a cancel at once: the next is refused at once', async () => {
  const sockets = await flood();
  const waiting: Socket[] = [];
  try {
    // The whole allowance, two per address, each having sent nothing yet.
    for (let i = 0; i < QUICK_ALLOWANCE; i++) waiting.push(await connectFrom(`127.0.0.${30 + (i >> 1)}`));
    const late = await answer(await connectFrom('127.0.0.40'));
    assert.equal(late.sqlstate, '53300');
    assert.ok(late.ms < AT_ONCE_MS, `refused after ${late.ms} ms`);
    // Those waiting are closed once their window ends (past max_pending_logins refusals lingering at
    // once, without a word), and the allowance is free again.
    for (const { ms } of await Promise.all(waiting.map((s) => answer(s))))
      assert.ok(ms < 3000, `closed after ${ms} ms`);
    const again = await connectFrom('127.0.0.40');
    again.write(untyped(80877102, 12345, 67890));
    assert.equal((await answer(again)).sqlstate, null, 'a cancel is served again');

    // One address holds at most its share of the allowance; another still gets a window.
    const fromOne: Socket[] = [];
    for (let i = 0; i < QUICK_PER_SOURCE; i++) fromOne.push(await connectFrom('127.0.0.41'));
    waiting.push(...fromOne);
    const sixth = await answer(await connectFrom('127.0.0.41'));
    assert.equal(sixth.sqlstate, '53300');
    assert.ok(sixth.ms < AT_ONCE_MS, `refused after ${sixth.ms} ms`);
    const other = await connectFrom('127.0.0.42');
    other.write(untyped(80877102, 12345, 67890));
    assert.equal((await answer(other)).sqlstate, null, 'another address is still served');
  } finally {
    for (const s of waiting) s.destroy();
    await floodOver(sockets);
  }
});
