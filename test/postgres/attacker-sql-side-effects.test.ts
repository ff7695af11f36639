// Writes spelled as a SELECT of a function that the server's read-only mode does not stop. A
// read-only connection counts on default_transaction_read_only=on for what its guard cannot see,
// but PostgreSQL runs the large-object functions (lo_unlink, lo_put, lo_from_bytea ...), catalog
// and replication functions and pg_notify in a read-only transaction all the same: the guard has
// to count them as writes. And `SELECT pg_notify(...)` is a NOTIFY, so a rule on NOTIFY meets it.
// Through the gateway, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { withPassword } from '../support/postgres-server.js';
import { directClient, type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';

let readOnly: PgFixture;
let noNotify: PgFixture;
const ORIGIN = 'vigil_attacker_sql_origin';

async function direct<T>(f: PgFixture, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = directClient(f);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Replication origins belong to the cluster, not the scratch database: none is left behind. */
const dropOrigin = (f: PgFixture) =>
  direct(f, (d) =>
    d.query('select pg_replication_origin_drop(roname) from pg_replication_origin where roname = $1', [
      ORIGIN,
    ]),
  );

before(async () => {
  readOnly = await startPgFixture('vigil_attacker_sql_read_only', { guardrails: { read_only: true } });
  noNotify = await startPgFixture(
    'vigil_attacker_sql_notify',
    {},
    {},
    {
      policy: {
        rules: [{ name: 'no-notify', match: { statement_kinds: ['NOTIFY'] }, action: 'deny' }],
      },
    },
  );
  await dropOrigin(readOnly);
});
after(async () => {
  await dropOrigin(readOnly);
  await readOnly?.close();
  await noNotify?.close();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: { code?: string; message: string }) => err,
  );

test('large-object and catalog functions that the read-only server runs anyway are writes to the guard', async () => {
  const oid = await direct(readOnly, async (d) => {
    const made = await d.query("select lo_from_bytea(0, 'kept') as oid");
    return Number(made.rows[0].oid);
  });
  const objects = () =>
    direct(
      readOnly,
      async (d) => (await d.query('select count(*)::int as n from pg_largeobject_metadata')).rows[0].n,
    );
  const before = await objects();
  const c = vigilClient(readOnly, undefined, { application_name: 'attacker-sql-lo' });
  await c.connect();
  try {
    for (const sql of [
      `SELECT lo_unlink(${oid})`,
      `SELECT lo_put(${oid}, 0, 'gone')`,
      "SELECT pg_catalog.lo_from_bytea(0, 'planted')",
      `SELECT * FROM lo_truncate(lo_open(${oid}, 131072), 0)`,
      `WITH o AS (SELECT pg_replication_origin_create('${ORIGIN}')) SELECT * FROM o`,
    ]) {
      const err = await failure(c.query(sql));
      assert.equal(err?.code, '42501', `${sql}: denied, not run (${err?.message ?? 'it ran'})`);
      assert.match(err?.message ?? '', /read_only/, sql);
    }
    // Reading a large object is still a read.
    const read = await c.query(`SELECT convert_from(lo_get(${oid}), 'UTF8') AS v`);
    assert.equal(read.rows[0].v, 'kept');
  } finally {
    await c.end();
  }
  assert.equal(await objects(), before, 'no large object made or removed');
  const content = await direct(readOnly, (d) => d.query(`select convert_from(lo_get(${oid}), 'UTF8') as v`));
  assert.equal(content.rows[0].v, 'kept', 'the large object is unchanged');
  const origins = await direct(readOnly, (d) =>
    d.query('select count(*)::int as n from pg_replication_origin where roname = $1', [ORIGIN]),
  );
  assert.equal(origins.rows[0].n, 0, 'no replication origin made');
});

test('SELECT pg_notify() is a NOTIFY: a rule on NOTIFY denies it, and no listener hears it', async () => {
  const listener = new pg.Client({
    connectionString: withPassword(noNotify.directUrl, noNotify.server.password),
  });
  await listener.connect();
  const heard: string[] = [];
  listener.on('notification', (n) => heard.push(`${n.channel}:${n.payload}`));
  await listener.query('LISTEN vigil_attacker_ch');
  const c = vigilClient(noNotify, undefined, { application_name: 'attacker-sql-notify' });
  await c.connect();
  try {
    for (const sql of [
      "NOTIFY vigil_attacker_ch, 'plain'",
      "SELECT pg_notify('vigil_attacker_ch', 'spelled')",
      "SELECT 1 FROM (SELECT pg_catalog.pg_notify('vigil_attacker_ch', 'nested')) AS s",
    ]) {
      const err = await failure(c.query(sql));
      assert.equal(err?.code, '42501', `${sql}: denied, not run (${err?.message ?? 'it ran'})`);
      assert.match(err?.message ?? '', /no-notify/, sql);
    }
    await c.query('SELECT 1');
    // A notification is delivered when its transaction commits; the listener has had time to hear it.
    await listener.query('SELECT pg_sleep(0.2)');
    assert.deepEqual(heard, []);
  } finally {
    await c.end();
    await listener.end();
  }
  const recorded = (await pgEvents(noNotify)).filter(
    (e) => e.type === 'db.query' && String(e.payload?.statement).includes("pg_notify('vigil_attacker_ch'"),
  );
  const kinds = recorded.map((e) =>
    ((e.payload?.classification as { statements?: { kind: string }[] })?.statements ?? []).map((s) => s.kind),
  );
  assert.deepEqual(kinds[0], ['SELECT', 'NOTIFY'], 'recorded as the NOTIFY it is');
});
