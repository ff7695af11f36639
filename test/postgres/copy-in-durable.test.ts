// The rows a client sends with COPY … FROM STDIN land when the server reads its CopyDone, so the
// CopyDone is held until the data's record (`db.copy_data`) is committed; when it cannot be,
// Vigil sends the server CopyFail in its place (the copy rolls back) and the client gets
// record_failed. Until 7 December the data was recorded only in the copy's db.result, committed
// after the fact: a store that failed at that moment lost the record of rows that did land.
// Through the gateway with psql, node-postgres (a COPY submittable, as pg-copy-streams writes one)
// and the raw wire, against the real server; the store is made to refuse the write by closing
// its database under the running gateway, and what landed is read on the server itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { StoredEvent } from '../../src/core/events.js';
import { ecsClassification } from '../../src/siem/ecs-classification.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  queryDirect,
  runClient,
  startPgFixture,
  vigilClient,
} from './pg-gateway.js';
import { fe, frame, RawPgClient } from './raw-client.js';

const TABLE = 'CREATE TABLE IF NOT EXISTS staff (id int, name text)';
const DATA = '1\tann\n2\tbob\n';
const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_copy_durable', { record_rows: 5 });
  await queryDirect(f, TABLE);
});
after(() => f?.close());

async function sessionOf(fixture: PgFixture, app: string): Promise<StoredEvent[]> {
  const events = await pgEvents(fixture);
  const start = events.find((e) => e.type === 'session.start' && e.payload?.application_name === app);
  assert.ok(start, `no session recorded for ${app}`);
  return events.filter((e) => e.sessionId === start.sessionId);
}

/** The COPY's db.query, its db.copy_data and its db.result: in this order, in the session and the global log. */
function copyEvents(events: readonly StoredEvent[]): { data: StoredEvent; result: StoredEvent } {
  const query = events.find((e) => e.type === 'db.query' && /^COPY/i.test(String(e.payload?.statement)));
  const data = events.find((e) => e.type === 'db.copy_data');
  const result = events.find((e) => e.type === 'db.result' && /^COPY/.test(String(e.payload?.command_tag)));
  assert.ok(query && data && result, events.map((e) => e.type).join(', '));
  assert.ok(query.seq < data.seq && data.seq < result.seq, 'query, then its data, then its result');
  assert.ok(data.index < result.index, 'the data is committed before the result, in the global log too');
  return { data, result };
}

function assertStaffData(data: StoredEvent): void {
  assert.deepEqual(data.payload?.columns, ['id', 'name']);
  assert.deepEqual(data.payload?.rows, [
    ['1', 'ann'],
    ['2', 'bob'],
  ]);
  const copy = (data.payload?.copy ?? {}) as Record<string, unknown>;
  assert.equal(copy.sha256, sha256(DATA));
  assert.equal(copy.lines, 2);
  assert.equal(copy.ended, 'CopyDone');
}

/**
 * node-postgres runs a COPY FROM STDIN through a submittable that writes the data when the server
 * asks for it (what pg-copy-streams does); `beforeData` runs then, before any data is sent.
 */
function copyFrom(client: pg.Client, sql: string, data: string, beforeData = () => {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let tag = '';
    const submittable = {
      submit(connection: { query(text: string): void }) {
        connection.query(sql);
      },
      handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
        beforeData();
        connection.sendCopyFromChunk(Buffer.from(data));
        connection.endCopyFrom();
      },
      handleCommandComplete(msg: { text: string }) {
        tag = msg.text;
      },
      // node-postgres drops a query that failed: its ReadyForQuery goes to no one.
      handleError: reject,
      handleReadyForQuery() {
        resolve(tag);
      },
    };
    (client as unknown as { query(s: object): void }).query(submittable);
  });
}

test('psql \\copy from stdin: the data is committed (db.copy_data) before the server reads the end of the copy', async () => {
  await queryDirect(f, 'TRUNCATE staff');
  const app = 'copy-durable-psql';
  const run = await runClient(
    'psql',
    ['-X', '-c', '\\copy staff (id, name) from stdin'],
    f,
    TOKENS.alice,
    DATA,
    {
      PGAPPNAME: app,
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /COPY 2/);
  assert.deepEqual(await queryDirect(f, 'SELECT count(*)::int AS n FROM staff'), [{ n: 2 }]);
  const { data, result } = copyEvents(await sessionOf(f, app));
  assertStaffData(data);
  // The result still says what the server read of it.
  assert.equal((result.payload?.copy as Record<string, unknown> | undefined)?.sha256, sha256(DATA));
  assert.equal(ecsClassification('db.copy_data', data.payload).category[0], 'database');
  // vigil verify and replay read it like any other event.
  await assertLedgerVerifies(f.gateway);
  const replay = await runCli(['--data', f.gateway.dataDir, 'replay', data.sessionId]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(
    replay.stdout,
    new RegExp(`copy data: 2 lines, ${DATA.length} bytes, sha256 ${sha256(DATA)} \\(CopyDone\\)`),
  );
});

test('node-postgres: a COPY submittable, and the raw wire pipelining data behind the statement', async () => {
  await queryDirect(f, 'TRUNCATE staff');
  const app = 'copy-durable-node-postgres';
  const client = vigilClient(f, TOKENS.alice, { application_name: app });
  await client.connect();
  try {
    assert.equal(await copyFrom(client, 'COPY staff (id, name) FROM STDIN', DATA), 'COPY 2');
  } finally {
    await client.end();
  }
  assertStaffData(copyEvents(await sessionOf(f, app)).data);

  const rawApp = 'copy-durable-pipelined';
  const c = await RawPgClient.connect({
    host: f.host,
    port: f.port,
    params: { user: 'alice', database: 'vigil', application_name: rawApp },
    password: TOKENS.alice,
  });
  // The CopyDone arrives before the server has started the copy: it waits for it, then for the record.
  c.send(
    fe.query('COPY staff (id, name) FROM STDIN'),
    frame('d', Buffer.from(DATA)),
    frame('c', Buffer.alloc(0)),
    fe.query('SELECT count(*) FROM staff'),
  );
  const reply = await c.readUntilReady(2);
  c.end();
  assert.equal(reply.codes, 'GCZTDCZ', JSON.stringify(reply.errors));
  assert.deepEqual(reply.rows, [['4']]);
  assertStaffData(copyEvents(await sessionOf(f, rawApp)).data);
});

/** A gateway of its own, whose store is closed (every write refused) in the middle of a copy. */
async function failingStore(name: string): Promise<{ g: PgFixture; closeStore(): void }> {
  const g = await startPgFixture(name, {}, {}, { on_record_failure: 'fail-closed' });
  await queryDirect(g, TABLE);
  return { g, closeStore: () => sqliteDatabase(g.gateway.store).close() };
}

async function staffCount(g: PgFixture): Promise<number> {
  const rows = await queryDirect<{ n: number }>(g, 'SELECT count(*)::int AS n FROM staff');
  return rows[0]!.n;
}

test('fail closed, psql: the data cannot be recorded, so the copy is failed and no row lands', async () => {
  const { g, closeStore } = await failingStore('vigil_copy_durable_psql');
  try {
    const app = 'copy-durable-fail-psql';
    const psql = spawn('psql', ['-X', '-c', '\\copy staff (id, name) from stdin'], {
      env: {
        ...process.env,
        PGHOST: g.host,
        PGPORT: String(g.port),
        PGUSER: 'alice',
        PGDATABASE: 'vigil',
        PGPASSWORD: TOKENS.alice,
        PGSSLMODE: 'disable',
        PGAPPNAME: app,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    psql.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => psql.once('close', resolve));
    // The server reads the copy (the statement is on record); then the store fails.
    await copyRunning(g, app);
    closeStore();
    psql.stdin.end(DATA);
    assert.notEqual(await exited, 0, 'psql reports the failed copy');
    assert.match(stderr, /vigil: the copy data could not be recorded/);
    assert.equal(await staffCount(g), 0, 'the server rolled the copy back');
  } finally {
    await g.close().catch(() => undefined);
  }
});

test('fail closed, node-postgres: the client gets record_failed (58000) and no row lands', async () => {
  const { g, closeStore } = await failingStore('vigil_copy_durable_pg');
  const client = vigilClient(g, TOKENS.alice, { application_name: 'copy-durable-fail-pg' });
  try {
    await client.connect();
    await assert.rejects(copyFrom(client, 'COPY staff (id, name) FROM STDIN', DATA, closeStore), {
      code: '58000',
      message: /the copy data could not be recorded/,
    });
    assert.equal(await staffCount(g), 0);
  } finally {
    await client.end().catch(() => undefined);
    await g.close().catch(() => undefined);
  }
});

test('fail closed, extended protocol (as libpq sends it): the batch fails and no row lands', async () => {
  const { g, closeStore } = await failingStore('vigil_copy_durable_ext');
  try {
    const c = await RawPgClient.connect({
      host: g.host,
      port: g.port,
      params: { user: 'alice', database: 'vigil', application_name: 'copy-durable-fail-ext' },
      password: TOKENS.alice,
    });
    c.send(fe.parse('', 'COPY staff (id, name) FROM STDIN'), fe.bind('', ''), fe.execute(''), fe.sync());
    assert.equal((await c.readUntil('G')).codes, '12G');
    closeStore();
    c.send(frame('d', Buffer.from(DATA)), frame('c', Buffer.alloc(0)), fe.sync());
    const reply = await c.readUntilReady(1);
    c.destroy();
    assert.deepEqual(
      reply.errors.map((e) => [e.sqlstate, e.message]),
      [['58000', 'vigil: the copy data could not be recorded, so the copy was failed']],
    );
    assert.equal(reply.codes, 'EZ');
    assert.equal(await staffCount(g), 0);
  } finally {
    await g.close().catch(() => undefined);
  }
});

/** Waits until the server runs the application's COPY (read directly, not through Vigil). */
async function copyRunning(g: PgFixture, app: string): Promise<void> {
  const direct = directClient(g);
  await direct.connect();
  try {
    for (let i = 0; i < 400; i++) {
      const { rows } = await direct.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query ILIKE 'COPY%'",
        [app],
      );
      if (rows.length > 0) return;
      await sleep(25);
    }
    throw new Error(`the COPY of ${app} never ran`);
  } finally {
    await direct.end();
  }
}
