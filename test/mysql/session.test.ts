// A MySQL session's life beyond single statements: offboarding cuts a live connection in the middle
// of a running statement (the upstream thread is killed, access.revoked recorded, the session ended
// once), and the CLI replays a MySQL session from the same events as a PostgreSQL one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { nowIso } from '../../src/core/events.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, openSharedStore, TOKENS } from '../support/gateway.js';
import { adminConnection, mariadbUnavailable } from '../support/mariadb-server.js';
import {
  type MysqlFixture,
  mysqlEvents,
  startMysqlFixture,
  UPSTREAM_USER,
  vigilOptions,
} from './mysql-gateway.js';

const unavailable = mariadbUnavailable();
const skip = unavailable ?? false;
let f: MysqlFixture;

before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture('vigil_session', { record_rows: 2 });
});
after(async () => {
  if (f) await f.close();
});

async function upstreamSleepers(): Promise<number> {
  const admin = await adminConnection(f.server);
  try {
    const [rows] = (await admin.query(
      `select count(*) as n from information_schema.processlist where user = '${UPSTREAM_USER}' and info like 'select sleep%'`,
    )) as unknown as [{ n: number }[]];
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

test('disabling the identity cuts a running statement, kills the upstream thread and records access.revoked', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f, TOKENS.etl));
  const running = c.query('select sleep(30) as s').then(
    () => null,
    (e: unknown) => e as { errno?: number; message: string },
  );
  for (let i = 0; i < 100 && (await upstreamSleepers()) === 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(await upstreamSleepers(), 1);
  const store = await openSharedStore(f.gateway);
  await store.access.disableIdentity('etl', nowIso(), 'contract ended');
  const cutAt = performance.now();
  await store.close();
  const err = await running;
  assert.ok(err, 'the statement did not complete');
  assert.ok(performance.now() - cutAt < 5000, 'the cut took longer than 5 s');
  c.destroy();
  for (let i = 0; i < 100 && (await upstreamSleepers()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await upstreamSleepers(), 0, 'the upstream thread was killed');
  const events = (await mysqlEvents(f)).filter((e) => e.identity.subject === 'etl');
  assert.equal(events.find((e) => e.type === 'access.revoked')?.payload?.reason, 'identity-disabled');
  assert.equal(events.filter((e) => e.type === 'session.end').length, 1);
  await assert.rejects(mysql.createConnection(vigilOptions(f, TOKENS.etl)), { errno: 1045 });
});

test('vigil replay shows a MySQL session: statements, parameters and results', { skip }, async () => {
  const c = await mysql.createConnection(vigilOptions(f));
  await c.query('create table fruit (id int primary key, name varchar(20))');
  await c.execute('insert into fruit values (?, ?)', [1, 'quince']);
  await c.query('select name from fruit where id = 1');
  await c.end();
  const events = await mysqlEvents(f);
  const sessionId = events.find(
    (e) =>
      e.type === 'db.query' &&
      e.payload?.statement === 'create table fruit (id int primary key, name varchar(20))',
  )!.sessionId;
  await f.gateway.recorder.drain();
  const run = await runCli(['--data', f.gateway.dataDir, 'replay', sessionId]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /insert into fruit values \(\?, \?\)/);
  assert.match(run.stdout, /quince/);
  await assertLedgerVerifies(f.gateway);
});

/** Runs `select sleep(30)` on `c` and waits until the server runs it; `done` resolves with how it ended. */
async function sleeping(
  c: mysql.Connection,
): Promise<{ done: Promise<{ errno?: number; message: string } | null> }> {
  const running = c.query('select sleep(30) as s').then(
    ([rows]) =>
      (rows as { s: number }[])[0]?.s === 1 ? { message: 'interrupted (sleep returned 1)' } : null,
    (e: unknown) => e as { errno?: number; message: string },
  );
  for (let i = 0; i < 100 && (await upstreamSleepers()) === 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(await upstreamSleepers(), 1);
  return { done: running };
}

test('KILL QUERY of a Vigil connection id (the CLI’s Ctrl-C) stops that statement on the server; the connection goes on', {
  skip,
}, async () => {
  const victim = await mysql.createConnection(vigilOptions(f, TOKENS.bob));
  const killer = await mysql.createConnection(vigilOptions(f, TOKENS.bob));
  try {
    const running = await sleeping(victim);
    await killer.query(`KILL QUERY ${victim.threadId}`);
    const outcome = await running.done;
    assert.equal(outcome?.errno, 1317, 'the statement was interrupted');
    for (let i = 0; i < 100 && (await upstreamSleepers()) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(await upstreamSleepers(), 0);
    const [rows] = await victim.query('select 7 as n');
    assert.deepEqual(rows, [{ n: 7 }], 'the connection whose statement was stopped is still usable');
  } finally {
    victim.destroy();
    await killer.end();
  }
  const recorded = (await mysqlEvents(f)).find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('KILL QUERY'),
  );
  assert.equal((recorded?.payload?.kill as { mode?: string } | undefined)?.mode, 'query');
  const classification = recorded?.payload?.classification as { statements: { kind: string }[] };
  assert.equal(classification.statements[0]?.kind, 'KILL');
});

test('KILL CONNECTION of a Vigil connection id ends that connection', { skip }, async () => {
  const victim = await mysql.createConnection(vigilOptions(f, TOKENS.bob));
  const killer = await mysql.createConnection(vigilOptions(f, TOKENS.bob));
  const closed = new Promise<void>((resolve) => victim.once('error', () => resolve()));
  try {
    await killer.query(`KILL ${victim.threadId}`);
    await closed;
    await assert.rejects(victim.query('select 1'));
  } finally {
    victim.destroy();
    await killer.end();
  }
});

test('KILL cannot reach another identity’s connection, nor a server thread by its own id, nor by user', {
  skip,
}, async () => {
  const victim = await mysql.createConnection(vigilOptions(f, TOKENS.bob));
  const other = await mysql.createConnection(vigilOptions(f, TOKENS.alice));
  const direct = await adminConnection(f.server);
  try {
    const running = await sleeping(victim);
    // Another identity names bob's Vigil id: unknown to it, as a server says of a missing thread.
    await assert.rejects(other.query(`KILL QUERY ${victim.threadId}`), { errno: 1094 });
    // A server thread's own id (here a direct admin connection's) is not a Vigil id: never forwarded.
    await assert.rejects(other.query(`KILL ${direct.threadId}`), { errno: 1094 });
    await assert.rejects(other.query(`KILL USER ${UPSTREAM_USER}`), { errno: 1142 });
    await assert.rejects(other.query(`KILL QUERY ${victim.threadId}; select 1`), { errno: 1142 });
    assert.deepEqual((await direct.query('select 1 as n'))[0], [{ n: 1 }], 'the server thread lives');
    assert.equal(await upstreamSleepers(), 1, 'bob’s statement still runs');
    const [rows] = await other.query('select 2 as n');
    assert.deepEqual(rows, [{ n: 2 }], 'the refused KILLs left the connection usable');
    // bob stops his own statement: the KILL that belongs to him works.
    const own = await mysql.createConnection(vigilOptions(f, TOKENS.bob));
    await own.query(`KILL QUERY ${victim.threadId}`);
    await own.end();
    assert.equal((await running.done)?.errno, 1317);
  } finally {
    victim.destroy();
    await other.end();
    await direct.end();
  }
});
