// Resource exhaustion through the PostgreSQL front door: what a client can make the gateway hold in
// memory or put into the ledger. Before 5 December a client that flooded its socket while Vigil
// logged it in, and a statement whose result row was hundreds of megabytes, each cost the gateway
// memory without bound, and every recorded value went into the ledger whole. Through the gateway,
// against the real server (and a target that never answers, for the login).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { serialize } from 'pg-protocol';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { connectToListener, loginFlood } from '../support/login-flood.js';
import { type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';
import { fe, frame, RawPgClient } from './raw-client.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_flow', { record_rows: 2 });
});
after(() => f.close());

// Until 5 December such a row was recorded as `<row of N bytes not recorded>`, leaving out `n`.
test('a result row larger than the streaming bound reaches the client whole and is recorded value by value', async () => {
  const size = 4 * 1024 * 1024;
  const c = vigilClient(f, TOKENS.alice, { application_name: 'attacker-big-row' });
  await c.connect();
  try {
    const r = await c.query(`SELECT repeat('x', ${size}) AS big, 7 AS n`);
    assert.equal(r.rows[0].big.length, size);
    assert.equal(r.rows[0].n, 7);
    // The session goes on in step with the server.
    assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
  } finally {
    await c.end();
  }
  const results = (await pgEvents(f)).filter(
    (e) => e.type === 'db.result' && JSON.stringify(e.payload?.columns) === '["big","n"]',
  );
  assert.equal(results.length, 1);
  assert.equal(results[0]!.payload?.row_count, 1);
  const rows = results[0]!.payload?.rows as unknown[][];
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0], [
    { bytes: size, sha256: createHash('sha256').update('x'.repeat(size)).digest('hex') },
    '7',
  ]);
});

test('a value over 64 KiB is recorded by its size and digest, not its text', async () => {
  const c = vigilClient(f, TOKENS.alice, { application_name: 'attacker-wide-value' });
  await c.connect();
  try {
    const r = await c.query(`SELECT repeat('y', 512 * 1024) AS wide, 'short' AS narrow`);
    assert.equal(r.rows[0].wide.length, 512 * 1024);
  } finally {
    await c.end();
  }
  const result = (await pgEvents(f)).find(
    (e) => e.type === 'db.result' && JSON.stringify(e.payload?.columns) === '["wide","narrow"]',
  );
  const rows = result?.payload?.rows as unknown[][];
  assert.deepEqual(rows, [
    [
      {
        bytes: 512 * 1024,
        sha256: createHash('sha256')
          .update('y'.repeat(512 * 1024))
          .digest('hex'),
      },
      'short',
    ],
  ]);
});

test('a server error quoting a large value reaches the client whole; the ledger keeps its SQLSTATE', async () => {
  const size = 3 * 1024 * 1024;
  const c = vigilClient(f, TOKENS.alice, { application_name: 'attacker-big-error' });
  await c.connect();
  try {
    for (const sql of [
      `SELECT repeat('x', ${size})::int AS wide_error`,
      `SELECT repeat('x', 200000)::int AS mid_error`,
    ]) {
      const err = await c.query(sql).then(
        () => null,
        (e: { code?: string; message: string }) => e,
      );
      assert.equal(err?.code, '22P02');
      assert.ok(err.message.includes('x'.repeat(100_000)), 'the client gets the server message');
    }
    assert.equal((await c.query('SELECT 5 AS five')).rows[0].five, 5);
  } finally {
    await c.end();
  }
  const events = await pgEvents(f);
  for (const name of ['wide_error', 'mid_error']) {
    const q = events.find((e) => e.type === 'db.query' && String(e.payload?.statement).includes(name));
    const result = events.find(
      (e) => e.type === 'db.result' && e.sessionId === q?.sessionId && e.seq > q.seq,
    );
    assert.equal(result?.payload?.sqlstate, '22P02');
    assert.match(String(result?.payload?.error_message), /^<error message of \d+ bytes not recorded>$/);
  }
});

test('a large COPY TO STDOUT row and a large notice pass through intact', async () => {
  const size = 3 * 1024 * 1024;
  const c = vigilClient(f, TOKENS.alice, { application_name: 'attacker-big-notice' });
  const notices: string[] = [];
  c.on('notice', (n) => notices.push(n.message ?? ''));
  await c.connect();
  try {
    await c.query(`DO $$ BEGIN RAISE NOTICE '%', repeat('n', ${size}); END $$`);
    assert.equal(notices.length, 1);
    assert.equal(notices[0]!.length, size);
    assert.equal((await c.query('SELECT 3 AS three')).rows[0].three, 3);
  } finally {
    await c.end();
  }
  const raw = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'x', application_name: 'attacker-big-copy' },
    password: TOKENS.alice,
  });
  try {
    const reply = await raw.query(`COPY (SELECT repeat('c', ${size})) TO STDOUT`);
    const rows = raw.received.filter((m) => m.code === 'd');
    assert.equal(rows.length, 1, reply.codes);
    assert.equal(rows[0]!.body.length, size + 1);
    assert.equal((await raw.query('SELECT 4')).codes, 'TDCZ');
  } finally {
    raw.end();
  }
});

/** A target that accepts connections and never says a word: Vigil's login upstream waits on it. */
async function silentTarget(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

function startup(params: Record<string, string>, version = 196608): Buffer {
  const body = Buffer.concat([
    ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(version, 4);
  return Buffer.concat([head, body]);
}

test('a client that floods its socket while Vigil logs in upstream is not read without bound', async () => {
  const target = await silentTarget();
  const gateway = await startTestGateway({
    connections: [
      {
        name: 'pg-silent',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: `postgres://app@127.0.0.1:${target.port}/app`,
        allow: ['*'],
      },
    ],
  });
  try {
    const socket = await connectToListener(gateway, 'pg-silent');
    socket.write(startup({ user: 'alice', database: 'app' }));
    // AuthenticationCleartextPassword.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    // The token, then 64 MiB of queries pipelined behind it while Vigil waits on the target.
    const query = frame('Q', Buffer.from(`SELECT 1 /* ${'x'.repeat(64 * 1024)} */\0`));
    const outcome = loginFlood(socket, serialize.password(TOKENS.alice), query);
    // The login upstream times out (10 s) and the client is closed. Before 5 December the gateway
    // had read all 64 MiB into memory long before that.
    assert.equal(await outcome, 'not read');
    socket.destroy();
  } finally {
    await gateway.close();
    for (const s of target.sockets) s.destroy();
    target.server.close();
  }
});

// The relay stops reading a client whose messages the server owes too many answers to
// (MAX_UNANSWERED_MESSAGES). A client that pipelines past that bound before reading must still get
// every answer: the server flushes its answers as its buffer fills, so the backlog always drains.
test('a client pipelining past the backlog bound gets every answer, in order', async () => {
  const c = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'x', application_name: 'attacker-backlog' },
    password: TOKENS.alice,
  });
  try {
    assert.ok(c.loggedIn, c.login.codes);
    const count = 12_000;
    // One batch of Bind and Describe messages (taken without waiting) with no Sync until the end:
    // the server answers only as its output buffer fills.
    const batch: Buffer[] = [fe.parse('', 'SELECT 1')];
    for (let i = 0; i < count; i++) batch.push(fe.bind('', ''), fe.describe('P', ''));
    batch.push(fe.execute(), fe.sync());
    c.send(...batch);
    const reply = await c.readUntilReady(1);
    assert.equal(reply.codes, `1${'2T'.repeat(count)}DCZ`);
    // Syncs alone, each answered by a ReadyForQuery.
    c.send(...Array.from({ length: count }, () => fe.sync()));
    assert.equal((await c.readUntilReady(count)).codes, 'Z'.repeat(count));
  } finally {
    c.end();
  }
});

// A startup parameter sets session state no statement shows: with `search_path` the client decides
// which schema `payroll` names, and a `deny_statements: [SET]` never sees it. Until 5 December the
// record showed the statement only; the session's start now carries the parameters passed on.
test('startup parameters passed to the server are recorded with the session', async () => {
  const raw = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: {
      user: 'alice',
      database: 'x',
      application_name: 'attacker-startup-path',
      search_path: 'shadow, public',
    },
    password: TOKENS.alice,
  });
  try {
    assert.ok(raw.loggedIn, raw.login.codes);
    const reply = await raw.query('SHOW search_path');
    assert.ok(reply.codes.startsWith('TD'), reply.codes);
  } finally {
    raw.end();
  }
  const start = (await pgEvents(f)).find(
    (e) => e.type === 'session.start' && e.payload?.application_name === 'attacker-startup-path',
  );
  assert.deepEqual(start?.payload?.startup_parameters, {
    application_name: 'attacker-startup-path',
    search_path: 'shadow, public',
  });
});

/** The first message an endpoint answers a startup packet with. */
async function firstAnswer(port: number, packet: Buffer): Promise<Buffer> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  try {
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(packet);
    let got = Buffer.alloc(0);
    while (got.length < 5 || got.length < 1 + got.readUInt32BE(1)) {
      got = Buffer.concat([got, await new Promise<Buffer>((resolve) => socket.once('data', resolve))]);
    }
    return got.subarray(0, 1 + got.readUInt32BE(1));
  } finally {
    socket.destroy();
  }
}

// A client asking for protocol 3.2 (libpq 18 can) or for `_pq_.` protocol options was answered as
// if they had been agreed. PostgreSQL answers NegotiateProtocolVersion: so does Vigil now.
test('a request for a newer protocol or protocol options is answered as the server answers it', async () => {
  const packet = startup({ user: 'alice', database: 'x', '_pq_.vigil_probe': 'on' }, 196610);
  const fromVigil = await firstAnswer(f.port, packet);
  const fromServer = await firstAnswer(f.server.port, packet);
  assert.equal(String.fromCharCode(fromServer[0]!), 'v');
  assert.deepEqual(fromVigil, fromServer);
});
