// A read-only connection is read-only twice: the guard denies what may change data, and the server
// runs every transaction read-only (default_transaction_read_only=on, sent at login), which also
// stops writes the guard cannot see (a function that writes, nextval()). An attacker lifts that
// default first: by a SELECT of set_config(), which reads as a harmless SELECT, or through a
// function made outside Vigil, which no guard can look into. Either way nothing may be written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { assertLedgerVerifies } from '../support/gateway.js';
import { withPassword } from '../support/postgres-server.js';
import { type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';
import { fe } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;
const { direct, resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

before(async () => {
  f = await startPgFixture('vigil_attacker_read_only', { guardrails: { read_only: true } });
  await direct((d) =>
    d.query(`
      create or replace function app_writer() returns int language plpgsql
        as $$ begin insert into t values (99); return 1; end $$;
      create or replace function app_lift() returns text language plpgsql
        as $$ begin return set_config('default_transaction_read_only', 'off', false); end $$;
      create or replace function app_lift_slowly() returns text language plpgsql
        as $$ begin perform pg_sleep(0.3); return app_lift(); end $$;
      drop sequence if exists s; create sequence s;
      create extension if not exists dblink;`),
  );
});
after(() => f.close());

async function connected(app: string): Promise<pg.Client> {
  const c = vigilClient(f, undefined, { application_name: app });
  await c.connect();
  return c;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: { code?: string; message: string }) => err,
  );

/** Both routes to a write the guard cannot see: the server must refuse them in a read-only transaction. */
async function assertNothingWritten(c: pg.Client): Promise<void> {
  const writer = await failure(c.query('SELECT app_writer()'));
  assert.equal(writer?.code, '25006', `a function that writes is refused by the server: ${writer?.message}`);
  const next = await failure(c.query("SELECT nextval('s')"));
  assert.equal(next?.code, '25006', `nextval() is refused by the server: ${next?.message}`);
  assert.deepEqual(await rowIds(), [1, 2]);
  assert.equal(
    (await c.query('SHOW default_transaction_read_only')).rows[0]?.default_transaction_read_only,
    'on',
  );
}

for (const [name, sql, params] of [
  ['a constant', "SELECT set_config('default_transaction_read_only', 'off', false)", []],
  [
    'a parameter of a prepared statement',
    "SELECT set_config('default_transaction_read_only', $1, false)",
    ['off'],
  ],
  [
    'a schema-qualified call in FROM',
    "SELECT * FROM pg_catalog.set_config('default_transaction_read_only', 'false', false)",
    [],
  ],
] as const) {
  test(`a SELECT of set_config() that turns the read-only default off is a write (${name})`, async () => {
    await resetTable();
    const c = await connected(`read-only-set-config-${name.replaceAll(/\W+/g, '-')}`);
    try {
      const err = await failure(c.query(sql, [...params]));
      assert.deepEqual(await rowIds(), [1, 2], 'nothing written');
      assert.equal(err?.code, '42501', `denied: ${err?.message}`);
      assert.match(err?.message ?? '', /read_only/);
      await assertNothingWritten(c);
    } finally {
      await c.end();
    }
  });
}

test('set_config() that keeps the read-only default on, or changes another setting, still runs', async () => {
  const c = await connected('read-only-set-config-harmless');
  try {
    await c.query("SELECT set_config('default_transaction_read_only', 'on', false)");
    const r = await c.query("SELECT set_config('work_mem', '8MB', false) AS v");
    assert.equal(r.rows[0]?.v, '8MB');
  } finally {
    await c.end();
  }
});

test('a function made outside Vigil that lifts the read-only default ends the session before anything else runs', async () => {
  await resetTable();
  const c = await connected('read-only-lift-by-function');
  const ended = new Promise<Error>((resolve) => c.once('error', resolve));
  try {
    // The guard sees a SELECT of an opaque function; the server runs it and reports the new default.
    const lift = await failure(c.query('SELECT app_lift()'));
    const notEnded = new Promise<Error>((resolve) =>
      setTimeout(() => resolve(new Error('the session was not ended')), 2000).unref(),
    );
    const reason = lift ?? (await Promise.race([ended, notEnded]));
    assert.match(reason.message, /default_transaction_read_only/, reason.message);
    const after = await failure(c.query('SELECT app_writer()'));
    assert.ok(after, 'nothing runs on the ended session');
  } finally {
    await c.end().catch(() => undefined);
  }
  assert.deepEqual(await rowIds(), [1, 2]);
  assert.equal(
    (await direct((d) => d.query('SELECT last_value, is_called FROM s'))).rows[0]?.is_called,
    false,
  );
  // The ledger says why the session ended.
  let named = false;
  for (let i = 0; i < 40 && !named; i++) {
    named = (await pgEvents(f)).some(
      (e) => e.type === 'session.end' && JSON.stringify(e.payload ?? {}).includes('setting_pinned'),
    );
    if (!named) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(named, 'the session end names setting_pinned');
  // A new session starts read-only again.
  const next = await connected('read-only-after');
  try {
    await assertNothingWritten(next);
  } finally {
    await next.end();
  }
  await assertLedgerVerifies(f.gateway);
});

test('a text that lifts the default, ends its transaction and goes on is refused whole', async () => {
  await resetTable();
  const c = await connected('read-only-commit-in-text');
  try {
    for (const text of [
      'SELECT app_lift(); COMMIT; SELECT app_writer()',
      // A table read can hide the function (a view), so it counts as well.
      'BEGIN; SELECT * FROM t; COMMIT; SELECT app_writer()',
    ]) {
      const err = await failure(c.query(text));
      assert.equal(err?.code, '42501', `refused: ${err?.message}`);
      assert.match(err?.message ?? '', /ends its transaction/);
    }
    // One transaction, or nothing before the COMMIT that can run a function: it runs.
    const r = await c.query('BEGIN; SELECT 1 AS one; COMMIT');
    assert.equal(Array.isArray(r) ? r.length : 0, 3);
    await assertNothingWritten(c);
  } finally {
    await c.end();
  }
});

for (const variant of [
  'simple queries',
  'unnamed statements, one batch each',
  'named statements, one batch each',
] as const) {
  test(`a statement pipelined behind one that lifts the default waits for the server's report (${variant})`, async () => {
    await resetTable();
    // The lift takes a while, so the next statement reaches Vigil long before the server's report.
    const c = await login('alice', `read-only-pipeline-${variant.replaceAll(/\W+/g, '-')}`);
    assert.ok(c.loggedIn, c.login.codes);
    if (variant === 'simple queries')
      c.send(fe.query('SELECT app_lift_slowly()'), fe.query('SELECT app_writer()'));
    else if (variant === 'unnamed statements, one batch each')
      c.send(
        ...[fe.parse('', 'SELECT app_lift_slowly()'), fe.bind('', ''), fe.execute(''), fe.sync()],
        ...[fe.parse('', 'SELECT app_writer()'), fe.bind('', ''), fe.execute(''), fe.sync()],
      );
    else {
      c.send(
        fe.parse('lift', 'SELECT app_lift_slowly()'),
        fe.parse('writer', 'SELECT app_writer()'),
        fe.sync(),
      );
      assert.deepEqual((await c.readUntilReady(1)).errors, []);
      c.send(
        ...[fe.bind('', 'lift'), fe.execute(''), fe.sync()],
        ...[fe.bind('', 'writer'), fe.execute(''), fe.sync()],
      );
    }
    const reply = await c.readUntilClosed();
    assert.ok(
      reply.errors.some((e) => e.severity === 'FATAL' && /default_transaction_read_only/.test(e.message)),
      JSON.stringify(reply.errors),
    );
    c.destroy();
    assert.deepEqual(await rowIds(), [1, 2]);
  });
}

test('an Execute in the same batch behind one whose report is pending is refused', async () => {
  await resetTable();
  const c = await login('alice', 'read-only-same-batch');
  assert.ok(c.loggedIn, c.login.codes);
  c.send(
    ...[fe.parse('', 'SELECT app_lift()'), fe.bind('', ''), fe.execute('')],
    ...[fe.parse('', 'COMMIT'), fe.bind('', ''), fe.execute('')],
    ...[fe.parse('', 'SELECT app_writer()'), fe.bind('', ''), fe.execute(''), fe.sync()],
  );
  const reply = await c.readUntilReady(1);
  assert.deepEqual(
    reply.errors.map((e) => e.sqlstate),
    ['42501'],
    JSON.stringify(reply.errors),
  );
  assert.match(reply.errors[0]?.message ?? '', /read-only default/);
  // The failed batch rolled the lift back with it: the session goes on, read-only.
  const show = await c.query('SHOW default_transaction_read_only');
  assert.equal(show.rows[0]?.[0], 'on');
  c.end();
  assert.deepEqual(await rowIds(), [1, 2]);
});

test('dblink runs its text in a session of its own, not read-only: it counts as a write', async () => {
  await resetTable();
  const target = withPassword(f.directUrl, f.server.password).replaceAll("'", "''");
  const c = await connected('read-only-dblink');
  try {
    for (const sql of [
      `SELECT dblink_exec('${target}', 'INSERT INTO t VALUES (7)')`,
      `SELECT * FROM dblink('${target}', 'INSERT INTO t VALUES (8) RETURNING id') AS r(id int)`,
    ]) {
      const err = await failure(c.query(sql));
      assert.deepEqual(await rowIds(), [1, 2], 'nothing written');
      assert.equal(err?.code, '42501', `denied: ${err?.message}`);
      assert.match(err?.message ?? '', /read_only/);
    }
  } finally {
    await c.end();
  }
  assert.deepEqual(await rowIds(), [1, 2]);
});

test('a batch that begins a transaction and fetches a portal in steps (as JDBC does) still runs', async () => {
  await resetTable();
  const c = await login('alice', 'read-only-jdbc-batch');
  assert.ok(c.loggedIn, c.login.codes);
  c.send(
    ...[fe.parse('', 'BEGIN'), fe.bind('', ''), fe.execute('')],
    ...[
      fe.parse('', 'SELECT id FROM t ORDER BY id'),
      fe.bind('p', ''),
      fe.execute('p', 1),
      fe.execute('p', 1),
    ],
    fe.sync(),
  );
  const reply = await c.readUntilReady(1);
  assert.deepEqual(reply.errors, []);
  assert.equal(reply.codes.split('').filter((x) => x === 'D').length, 2, reply.codes);
  assert.deepEqual((await c.query('COMMIT')).errors, []);
  c.end();
});
