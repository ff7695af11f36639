// Upstream reuse as an attacker sees it: with reuse on (the default), a backend a client leaves
// quiet is reset with DISCARD ALL and handed to the next session, which may be another Vigil
// identity's. DISCARD ALL leaves alone what an extension or a procedural language keeps for the
// life of the process: a dblink connection opened by one user served the next user, with the
// first user's connection string (and credential). Now no backend is kept in a database where an
// extension or language can keep such state (dblink, PL/Python, ...), however a session reached
// it (a function wrapping dblink_connect included), nor one whose session ran what may leave state
// elsewhere (LOAD, DO, CALL, a statement Vigil could not read); other sessions still hand their
// backend on (session-residue.ts). Against the real server, through the gateway.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { TOKENS } from '../support/gateway.js';
import { withPassword } from '../support/postgres-server.js';
import { directClient, type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';
import { cancel, fe, RawPgClient } from './raw-client.js';

interface Side {
  readonly f: PgFixture;
  readonly direct: pg.Client;
}
/** A database with dblink installed, and one with nothing that keeps state past the reset. */
let withDblink: Side;
let plain: Side;
/** A connection string to the scratch database that only the first user is meant to hold. */
let secretTarget: string;

async function side(database: string): Promise<Side> {
  const f = await startPgFixture(database, { pool: { max_idle: 4 } });
  const direct = directClient(f);
  await direct.connect();
  return { f, direct };
}

before(async () => {
  withDblink = await side('vigil_attacker_upstream_reuse');
  plain = await side('vigil_attacker_upstream_reuse_plain');
  await withDblink.direct.query('create extension if not exists dblink');
  secretTarget = withPassword(withDblink.f.directUrl, withDblink.f.server.password).replaceAll("'", "''");
  // A function that opens a dblink connection for its caller: the statement that calls it names
  // only the function.
  await withDblink.direct.query(
    `create or replace function open_stash() returns text language sql as $$ select dblink_connect('wrapped', '${secretTarget}') $$`,
  );
});
after(async () => {
  for (const s of [withDblink, plain]) {
    await s.direct.end();
    await s.f.close();
  }
});

async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
}

/**
 * How long a reset backend must stay for the pool to have kept it. A backend the pool refuses
 * after the reset is closed at once, but a loaded machine may take a while to show it gone: a wait,
 * never an assertion of speed (the pid the next session gets is checked as well).
 */
const PARKED_AFTER_MS = 1000;

/**
 * Waits until the gateway has done with backend `pid` after its client left: either reset and
 * parked (idle, its last statement the reset) or closed (gone). Answers which. A backend the
 * gateway does not keep still runs the reset it was sent with the check before it is closed, so
 * a reset backend is parked only if it is still there a moment later (by then the pool has it).
 */
async function afterGoodbye(
  direct: pg.Client,
  pid: number,
  reset = 'DISCARD ALL',
): Promise<'parked' | 'closed'> {
  const deadline = Date.now() + 10_000;
  let resetAt: number | null = null;
  for (;;) {
    const { rows } = await direct.query('select state, query from pg_stat_activity where pid = $1', [pid]);
    if (rows.length === 0) return 'closed';
    if (resetAt === null && rows[0].state === 'idle' && rows[0].query === reset) resetAt = Date.now();
    if (resetAt !== null && Date.now() - resetAt > PARKED_AFTER_MS) return 'parked';
    if (Date.now() > deadline) throw new Error(`backend ${pid} was neither reset nor closed`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function connected(f: PgFixture, token: string): Promise<pg.Client> {
  const client = vigilClient(f, token);
  await client.connect();
  return client;
}

/** The first user's session runs `statements`, says goodbye; the second user's session reports what it finds. */
async function handOver(
  { f, direct }: Side,
  /** Each a text, or a text with parameters (the extended protocol, ended by a Sync). */
  statements: readonly (string | readonly [string, unknown[]])[],
  probe: string,
): Promise<{ fate: 'parked' | 'closed'; samePid: boolean; found: unknown }> {
  const first = await connected(f, TOKENS.alice);
  const pid = await backendPid(first);
  for (const s of statements) await (typeof s === 'string' ? first.query(s) : first.query(s[0], s[1]));
  await first.end();
  const fate = await afterGoodbye(direct, pid);
  const second = await connected(f, TOKENS.bob);
  try {
    const samePid = (await backendPid(second)) === pid;
    // An error is an answer too: what the probe found is its message.
    const found = await second.query(probe).then(
      (res) => res.rows[0].found as unknown,
      (err: Error) => err.message,
    );
    return { fate, samePid, found };
  } finally {
    await second.end();
    await afterGoodbye(direct, pid).catch(() => undefined);
  }
}

test("a named dblink connection never reaches the next user's session", async () => {
  const r = await handOver(
    withDblink,
    [`select dblink_connect('stash', '${secretTarget}')`],
    'select dblink_get_connections() as found',
  );
  assert.equal(r.found, null, "the next user's session holds no dblink connection");
  assert.equal(r.fate, 'closed');
  assert.equal(r.samePid, false);
});

test("the unnamed dblink connection never reaches the next user's session", async () => {
  const r = await handOver(
    withDblink,
    [`select dblink_connect('${secretTarget}')`],
    // On a backend with no unnamed connection, dblink(sql) reads its argument as a connection string.
    "select (select count(*) from dblink('select 1') as t(n int)) as found",
  );
  assert.notEqual(r.found, '1', 'the previous session’s unnamed connection served the next one');
  assert.equal(r.fate, 'closed');
});

test('a dblink connection opened inside a DO block never reaches the next session', async () => {
  const r = await handOver(
    withDblink,
    [`do $$ begin perform dblink_connect('hidden', '${secretTarget}'); end $$`],
    'select dblink_get_connections() as found',
  );
  assert.equal(r.found, null);
  assert.equal(r.fate, 'closed');
});

test('a library LOADed in one session is not handed to the next', async () => {
  const r = await handOver(
    plain,
    ["load 'auto_explain'"],
    // The library's settings exist only in a backend that loaded it.
    "select current_setting('auto_explain.log_min_duration', true) as found",
  );
  assert.equal(r.found, null);
  assert.equal(r.fate, 'closed');
});

test('a session that left nothing the reset keeps still hands its backend on', async () => {
  const r = await handOver(
    plain,
    ["set work_mem = '9MB'", 'select 1', ['select $1::int as n', [7]]],
    "select current_setting('work_mem') as found",
  );
  assert.equal(r.fate, 'parked');
  assert.equal(r.samePid, true);
  assert.notEqual(r.found, '9MB');
});

test('a dblink connection a function opens for its caller never reaches the next session', async () => {
  const r = await handOver(withDblink, ['select open_stash()'], 'select dblink_get_connections() as found');
  assert.equal(r.found, null, 'the wrapped dblink connection was handed on');
  assert.equal(r.fate, 'closed');
});

test('a library a DO block loads is not handed to the next session', async () => {
  const r = await handOver(
    plain,
    ["do $$ begin execute 'load ''auto_explain'''; end $$"],
    "select current_setting('auto_explain.log_min_duration', true) as found",
  );
  assert.equal(r.found, null);
  assert.equal(r.fate, 'closed');
});

/**
 * A client runs an INSERT by Parse/Bind/Execute/Flush, sees it run, and says goodbye without a
 * Sync. Without Vigil the backend ends and the server rolls the insert back. Any simple query the
 * gateway sends on that backend (a reset such as RESET ALL, or the residue check) runs in the same
 * implicit transaction and commits it. Answers the rows committed.
 */
async function unsyncedInsertThenGoodbye(
  { f, direct }: Side,
  table: string,
  reset?: string,
): Promise<number> {
  await direct.query(`create table if not exists ${table} (n int)`);
  await direct.query(`truncate ${table}`);
  const raw = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'whatever' },
    password: TOKENS.alice,
  });
  assert.ok(raw.loggedIn);
  const pid = Number((await raw.query('select pg_backend_pid()')).rows[0]![0]);
  raw.send(fe.parse('', `insert into ${table} values (1)`), fe.bind('', ''), fe.execute(''), fe.flush());
  const ran = await raw.readUntil('C');
  assert.equal(ran.codes.at(-1), 'C', 'the insert ran');
  raw.end();
  await afterGoodbye(direct, pid, reset);
  return (await direct.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;
}

test('a goodbye after an Execute that no Sync ended commits nothing (reset DISCARD ALL)', async () => {
  assert.equal(await unsyncedInsertThenGoodbye(plain, 'unsynced'), 0);
});

test('a goodbye after an Execute that no Sync ended commits nothing (a reset_query that runs in a transaction)', async () => {
  const other = await startPgFixture('vigil_attacker_upstream_reuse_reset', {
    pool: { max_idle: 4, reset_query: 'RESET ALL' },
  });
  const direct = directClient(other);
  await direct.connect();
  try {
    assert.equal(await unsyncedInsertThenGoodbye({ f: other, direct }, 'unsynced', 'RESET ALL'), 0);
  } finally {
    await direct.end();
    await other.close();
  }
});

test("the next session is told the server's own session authorization, not the one the last session took", async () => {
  const { f, direct } = plain;
  await direct.query(
    "do $$ begin if not exists (select 1 from pg_roles where rolname = 'reuse_stranger') then create role reuse_stranger; end if; end $$",
  );
  const owner = (await direct.query('select session_user as u')).rows[0].u as string;
  const first = await connected(f, TOKENS.alice);
  const pid = await backendPid(first);
  await first.query('set session authorization reuse_stranger');
  await first.end();
  assert.equal(await afterGoodbye(direct, pid), 'parked');
  const second = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'whatever' },
    password: TOKENS.bob,
  });
  try {
    const now = await second.query('select pg_backend_pid(), session_user, current_user');
    assert.deepEqual(now.rows[0], [String(pid), owner, owner], 'the same backend, as its own role again');
    assert.equal(second.parameters.get('session_authorization'), owner);
  } finally {
    second.end();
  }
});

test("the last session's cancel key cannot cancel the next session's statement on the same backend", async () => {
  const { f, direct } = plain;
  const first = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'whatever' },
    password: TOKENS.alice,
  });
  const key = first.backendKey!;
  const pid = Number((await first.query('select pg_backend_pid()')).rows[0]![0]);
  first.end();
  assert.equal(await afterGoodbye(direct, pid), 'parked');
  const second = await connected(f, TOKENS.bob);
  try {
    assert.equal(await backendPid(second), pid);
    const running = second.query('select pg_sleep(1.5) as slept');
    // Once the statement runs on the shared backend, the first client tries its old key.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await direct.query(
        "select 1 from pg_stat_activity where pid = $1 and state = 'active' and query like '%pg_sleep%'",
        [pid],
      );
      if (rows.length > 0) break;
      if (Date.now() > deadline) throw new Error('the statement never ran');
      await new Promise((r) => setTimeout(r, 20));
    }
    await cancel(f.host, f.port, key.pid, key.secret);
    const outcome = await running.then(
      () => 'completed',
      (err: { code?: string }) => err.code ?? 'failed',
    );
    assert.equal(outcome, 'completed');
  } finally {
    await second.end();
  }
});
