// Upstream reuse against a real PostgreSQL: a server connection a client leaves quiet is reset
// (DISCARD ALL) and serves the next session, which finds none of the first one's state; a client
// that leaves inside a transaction, a killed parked backend and max_idle 0 never hand anything on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';

let f: PgFixture;
let direct: pg.Client;
before(async () => {
  f = await startPgFixture('vigil_upstream_reuse', { pool: { max_idle: 2 } });
  direct = directClient(f);
  await direct.connect();
  await direct.query('create table if not exists notes (body text)');
});
after(async () => {
  await direct.end();
  await f.close();
});

async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
}

/** Waits until the gateway has reset backend `pid` and parked it (its last statement is the reset). */
async function parked(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await direct.query(
      "select state, query from pg_stat_activity where pid = $1 and state = 'idle' and query = 'DISCARD ALL'",
      [pid],
    );
    if (rows.length === 1) break;
    if (Date.now() > deadline) throw new Error(`backend ${pid} was not reset for reuse`);
    await new Promise((r) => setTimeout(r, 25));
  }
  // The pool parks it once the reset's answer is read, a moment after the server reports idle.
  await new Promise((r) => setTimeout(r, 100));
}

async function connected(token = TOKENS.alice): Promise<pg.Client> {
  const client = vigilClient(f, token);
  await client.connect();
  return client;
}

test('a quiet goodbye hands the reset server connection to the next session, with none of its state', async () => {
  const first = await connected();
  const pid = await backendPid(first);
  await first.query('create temporary table scratch (n int)');
  await first.query("set work_mem = '7MB'");
  await first.query('select pg_advisory_lock(4242)');
  await first.end();
  await parked(pid);

  const second = await connected(TOKENS.bob);
  assert.equal(await backendPid(second), pid, 'the same backend serves the next session');
  const state = await second.query(
    "select current_setting('work_mem') as work_mem, to_regclass('pg_temp.scratch') as scratch, " +
      "(select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid())::int as locks",
  );
  const fresh = (await direct.query("select current_setting('work_mem') as w")).rows[0].w;
  assert.deepEqual(state.rows[0], { work_mem: fresh, scratch: null, locks: 0 });
  assert.equal((await second.query('select 1 as one')).rows[0].one, 1);
  await second.end();

  // Two sessions in the ledger, each its own identity, each complete.
  const events = await pgEvents(f);
  const starts = events.filter((e) => e.type === 'session.start');
  const alice = starts.find((e) => e.identity.subject === 'alice')!;
  const bob = starts.find((e) => e.identity.subject === 'bob')!;
  assert.notEqual(alice.sessionId, bob.sessionId);
  const bobQueries = events.filter((e) => e.sessionId === bob.sessionId && e.type === 'db.query');
  assert.ok(bobQueries.some((e) => String(e.payload?.statement).includes('pg_backend_pid')));
  assert.ok(
    !events.some(
      (e) => e.sessionId === bob.sessionId && String(e.payload?.statement).includes('work_mem = '),
    ),
    "the first session's statements stay in the first session",
  );
});

test('a client that leaves inside a transaction is not reused, and its transaction is rolled back', async () => {
  const first = await connected();
  const pid = await backendPid(first);
  await first.query('begin');
  await first.query("insert into notes values ('never committed')");
  await first.end();
  // The server connection ends with the client: the backend goes away.
  const deadline = Date.now() + 10_000;
  while ((await direct.query('select 1 from pg_stat_activity where pid = $1', [pid])).rows.length > 0) {
    if (Date.now() > deadline) throw new Error('the backend of an open transaction was kept');
    await new Promise((r) => setTimeout(r, 25));
  }
  const second = await connected();
  assert.notEqual(await backendPid(second), pid);
  await second.end();
  const { rows } = await direct.query("select count(*)::int as n from notes where body = 'never committed'");
  assert.equal(rows[0].n, 0);
});

test('a parked backend that the server ends meanwhile is never handed out', async () => {
  const first = await connected();
  const pid = await backendPid(first);
  await first.end();
  await parked(pid);
  await direct.query('select pg_terminate_backend($1)', [pid]);
  await new Promise((r) => setTimeout(r, 200));
  const second = await connected();
  assert.notEqual(await backendPid(second), pid);
  assert.equal((await second.query('select 2 as two')).rows[0].two, 2);
  await second.end();
});

test('max_idle 0 turns reuse off: every session opens its own server connection', async () => {
  const off = await startPgFixture('vigil_upstream_reuse_off', { pool: { max_idle: 0 } });
  try {
    const pids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const client = vigilClient(off);
      await client.connect();
      pids.push(await backendPid(client));
      await client.end();
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.notEqual(pids[0], pids[1]);
  } finally {
    await off.close();
  }
});
