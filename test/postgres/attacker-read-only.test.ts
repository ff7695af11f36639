// A read-only connection is read-only twice: the guard denies what may change data, and the server
// runs every transaction read-only (default_transaction_read_only=on, sent at login), which also
// stops writes the guard cannot see (a function that writes, nextval()). An attacker lifts that
// default first: by a SELECT of set_config(), which reads as a harmless SELECT, or through a
// function made outside Vigil, which no guard can look into. Either way nothing may be written.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { assertLedgerVerifies } from '../support/gateway.js';
import { type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;
const { direct, resetTable, rowIds } = truthfulRecordHelpers(() => f);

before(async () => {
  f = await startPgFixture('vigil_attacker_read_only', { guardrails: { read_only: true } });
  await direct((d) =>
    d.query(`
      create or replace function app_writer() returns int language plpgsql
        as $$ begin insert into t values (99); return 1; end $$;
      create or replace function app_lift() returns text language plpgsql
        as $$ begin return set_config('default_transaction_read_only', 'off', false); end $$;
      drop sequence if exists s; create sequence s;`),
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
