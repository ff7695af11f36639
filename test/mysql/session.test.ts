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
    (e: unknown) => e as { message: string },
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
