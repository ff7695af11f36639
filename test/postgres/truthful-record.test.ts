// Attacks on what Vigil believes a PostgreSQL session will run: settings that change how the server
// reads statement text (standard_conforming_strings, client_encoding), prepared-statement state the
// server never accepted or never dropped, statements Vigil never saw the text of, and oversized
// messages. Each test checks the effect directly on the server and the ledger Vigil kept of it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { assertLedgerVerifies } from '../support/gateway.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';
import { fe, type RawPgClient, type Reply, splitAtReady, summarize } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

const DATABASE = 'vigil_truthful_record';
let f: PgFixture;

before(async () => {
  f = await startPgFixture(DATABASE, {
    guardrails: { deny_statements: ['DROP', 'TRUNCATE'], deny_unbounded_writes: true },
  });
});
after(() => f.close());

const { direct, resetTable, rowIds, login } = truthfulRecordHelpers(() => f);

async function sessionEvents(app: string): Promise<StoredEvent[]> {
  const events = await pgEvents(f);
  const ids = new Set(
    events
      .filter((e) => e.type === 'session.start' && e.payload?.application_name === app)
      .map((e) => e.sessionId),
  );
  assert.ok(ids.size > 0, `no session recorded for ${app}`);
  return events.filter((e) => ids.has(e.sessionId));
}

function extendedQueries(events: readonly StoredEvent[]): StoredEvent[] {
  return events.filter((e) => e.type === 'db.query' && e.payload?.protocol === 'extended');
}

function assertRefused(reply: Reply, sqlstate: string, what: string): void {
  assert.deepEqual(
    reply.errors.map((e) => e.sqlstate),
    [sqlstate],
    `${what}: expected one error ${sqlstate}, got ${reply.codes} ${JSON.stringify(reply.errors)}`,
  );
}

function assertFatalAtLogin(client: RawPgClient, sqlstate: string, what: string): void {
  assert.equal(client.loggedIn, false, `${what}: the login went through (${client.login.codes})`);
  const fatal = client.login.errors.find((e) => e.severity === 'FATAL');
  assert.equal(fatal?.sqlstate, sqlstate, `${what}: ${JSON.stringify(client.login.errors)}`);
}

async function show(client: RawPgClient, setting: string): Promise<string | null | undefined> {
  const reply = await client.query(`SHOW ${setting}`);
  assert.deepEqual(reply.errors, [], `SHOW ${setting}`);
  return reply.rows[0]?.[0];
}

test('D1: standard_conforming_strings stays on, so a backslash cannot hide a DROP from Vigil', async () => {
  await resetTable();
  const app = 'd1-scs';
  const c = await login('alice', app);
  assert.ok(c.loggedIn, c.login.codes);

  const off = await c.query('SET standard_conforming_strings = off');
  assertRefused(off, '0A000', 'SET standard_conforming_strings = off');
  assert.equal(await show(c, 'standard_conforming_strings'), 'on');

  // Read with the setting on this is one string literal; read with it off, a SELECT then a DROP.
  await c.query("SELECT 'a\\''; DROP TABLE t; --'");
  assert.deepEqual(await rowIds(), [1, 2], 'table t is still there with its rows');

  for (const sql of [
    "SELECT set_config('standard_conforming_strings','off',false)",
    "SELECT set_config(lower('STANDARD_CONFORMING_STRINGS'),'off',false)",
  ]) {
    assertRefused(await c.query(sql), '0A000', sql);
    assert.equal(await show(c, 'standard_conforming_strings'), 'on', `after ${sql}`);
  }
  assert.deepEqual((await c.query('BEGIN')).errors, []);
  assertRefused(await c.query('SET LOCAL standard_conforming_strings TO off'), '0A000', 'SET LOCAL');
  await c.query('ROLLBACK');
  assert.equal(await show(c, 'standard_conforming_strings'), 'on');

  const on = await c.query('SET standard_conforming_strings = on');
  assert.deepEqual(on.errors, [], 'setting it to the pinned value is allowed');

  // The refusal names its Vigil code, on the wire or in the ledger.
  const events = await sessionEvents(app);
  const named =
    JSON.stringify(off.errors).includes('setting_pinned') ||
    events.some((e) => JSON.stringify(e.payload ?? {}).includes('setting_pinned'));
  assert.ok(named, 'the refusal carries the code setting_pinned');
  c.end();
  await assertLedgerVerifies(f.gateway);
});

test('D1: a database whose standard_conforming_strings defaults to off is refused at login', async () => {
  await direct((c) => c.query(`ALTER DATABASE ${DATABASE} SET standard_conforming_strings = off`));
  try {
    const c = await login('alice', 'd1-db-default-off');
    assertFatalAtLogin(c, '0A000', 'database default off');
    c.destroy();
  } finally {
    await direct((c) => c.query(`ALTER DATABASE ${DATABASE} RESET standard_conforming_strings`));
  }
  const c = await login('alice', 'd1-db-default-reset');
  assert.ok(c.loggedIn, 'with the default back on, logins work');
  c.end();
  await assertLedgerVerifies(f.gateway);
});

test('D2: a client encoding Vigil cannot read as the server does is refused at login', async () => {
  for (const encoding of ['GBK', 'SJIS']) {
    const c = await login('alice', `d2-login-${encoding}`, { client_encoding: encoding });
    assertFatalAtLogin(c, '0A000', `client_encoding=${encoding}`);
    assert.equal(c.login.codes.includes('Z'), false, 'never ready for a query');
    c.destroy();
  }
  await assertLedgerVerifies(f.gateway);
});

test('D2: client_encoding cannot be changed in the session', async () => {
  await resetTable();
  const c = await login('alice', 'd2-set');
  assert.ok(c.loggedIn, c.login.codes);
  for (const sql of [
    "SET client_encoding TO 'GBK'",
    "SET NAMES 'SJIS'",
    "SELECT set_config('client_encoding','GBK',false)",
  ]) {
    assertRefused(await c.query(sql), '0A000', sql);
    assert.equal(await show(c, 'client_encoding'), 'UTF8', `after ${sql}`);
  }
  assert.deepEqual((await c.query("SET client_encoding = 'UTF8'")).errors, [], 'UTF8 stays allowed');
  c.end();
  await assertLedgerVerifies(f.gateway);
});

test('D2: a Query that is not valid UTF-8 on a UTF8 session is refused and hides no DROP', async () => {
  await resetTable();
  const c = await login('alice', 'd2-invalid-utf8');

  // 0x95 0x5C is one GBK character; read as bytes, 0x5C is the backslash that escapes the quote.
  c.send(
    fe.queryBytes(
      Buffer.concat([
        Buffer.from("SELECT E'", 'latin1'),
        Buffer.from([0x95, 0x5c]),
        Buffer.from("'; DROP TABLE t; --'", 'latin1'),
      ]),
    ),
  );
  const reply = await c.readUntilReady(1);
  assert.ok(reply.errors.length > 0, `invalid UTF-8 was run: ${reply.codes}`);
  assert.deepEqual(await rowIds(), [1, 2]);
  c.end();
  await assertLedgerVerifies(f.gateway);
});

for (const oneWrite of [false, true]) {
  test(`D3: a Parse the server refused does not replace the statement Vigil judges (${oneWrite ? 'one write' : 'batch by batch'})`, async () => {
    await resetTable();
    const app = `d3-${oneWrite ? 'one-write' : 'batches'}`;
    const c = await login('alice', app);
    const batches = [
      [fe.parse('s1', 'DROP TABLE t'), fe.sync()],
      // The server refuses this one (42P05: s1 exists) and keeps the DROP under the name s1.
      [fe.parse('s1', 'SELECT 1'), fe.sync()],
      [fe.bind('', 's1'), fe.execute(''), fe.sync()],
    ];
    let replies: Reply[] = [];
    if (oneWrite) {
      c.send(...batches.flat());
      replies = splitAtReady(await c.readUntilReady(3));
    } else {
      for (const batch of batches) {
        c.send(...batch);
        replies.push(await c.readUntilReady(1));
      }
    }
    assert.deepEqual(replies[0]?.errors, []);
    assertRefused(replies[1]!, '42P05', 'the second Parse');
    assertRefused(replies[2]!, '42501', 'the Execute of s1 (a DROP)');
    assert.deepEqual(await rowIds(), [1, 2], 'table t survives');

    const queries = extendedQueries(await sessionEvents(app));
    assert.ok(queries.length > 0, 'the Execute was recorded');
    assert.equal(queries.at(-1)?.payload?.statement, 'DROP TABLE t');
    assert.ok(
      queries.every((q) => q.payload?.statement !== 'SELECT 1'),
      'the refused Parse never stood for s1',
    );
    c.end();
    await assertLedgerVerifies(f.gateway);
  });
}

for (const oneWrite of [false, true]) {
  test(`D4: a Close the server skipped after an error leaves the statement in place for Vigil too (${oneWrite ? 'one write' : 'batch by batch'})`, async () => {
    await resetTable();
    const app = `d4-${oneWrite ? 'one-write' : 'batches'}`;
    const c = await login('alice', app);
    const batches = [
      [fe.parse('s1', 'TRUNCATE t'), fe.sync()],
      // Execute of a portal that does not exist fails; the server then skips the Close up to Sync.
      [fe.execute('nope'), fe.close('S', 's1'), fe.sync()],
      [fe.bind('', 's1'), fe.execute(''), fe.sync()],
    ];
    let last: Reply;
    if (oneWrite) {
      c.send(...batches.flat());
      const replies = splitAtReady(await c.readUntilReady(3));
      assert.equal(replies[1]?.errors.length, 1, 'the Execute of "nope" fails');
      last = replies[2] ?? summarize([], true);
    } else {
      c.send(...batches[0]!);
      assert.deepEqual((await c.readUntilReady(1)).errors, []);
      c.send(...batches[1]!);
      assert.equal((await c.readUntilReady(1)).errors.length, 1, 'the Execute of "nope" fails');
      c.send(...batches[2]!);
      last = await c.readUntilReady(1);
    }
    assertRefused(last, '42501', 'the Execute of s1 (a TRUNCATE)');
    assert.deepEqual(await rowIds(), [1, 2], 't keeps its rows');

    const queries = extendedQueries(await sessionEvents(app));
    assert.equal(queries.at(-1)?.payload?.statement, 'TRUNCATE t');
    c.end();
    await assertLedgerVerifies(f.gateway);
  });
}

test('a statement prepared with SQL PREPARE is never executed unrecorded through Bind', async () => {
  await resetTable();
  const app = 'unknown-text';
  const c = await login('alice', app);
  assert.deepEqual((await c.query('PREPARE p AS DELETE FROM t WHERE id > 0')).errors, []);
  c.send(fe.bind('', 'p'), fe.execute(''), fe.sync());
  const reply = await c.readUntilReady(1);
  const rows = await rowIds();

  const queries = extendedQueries(await sessionEvents(app));
  const recorded = queries.at(-1);
  assert.ok(recorded, 'the Execute was recorded');
  assert.equal(typeof recorded.payload?.statement, 'string', 'the recorded statement is never null');
  if (reply.errors.length > 0) {
    // Refused: Vigil could not be certain of the text (statement_uncertain) or judged the DELETE.
    assertRefused(reply, '42501', 'Execute of p');
    assert.deepEqual(rows, [1, 2], 'a refused Execute changed nothing');
  }
  if (JSON.stringify(rows) !== JSON.stringify([1, 2])) {
    assert.match(
      String(recorded.payload?.statement),
      /DELETE\s+FROM\s+t\b/i,
      'rows changed, so the DELETE was recorded for this Execute',
    );
  }
  c.end();
  await assertLedgerVerifies(f.gateway);
});

test('D12: a 20 MiB Query is refused under the default cap and the gateway keeps serving', {
  timeout: 60_000,
}, async () => {
  const c = await login('alice', 'd12-large');
  c.send(fe.query(`SELECT '${'x'.repeat(20 * 1024 * 1024)}'`));
  const reply = await c.readUntilReady(1);
  const fatal = reply.errors.find((e) => e.severity === 'FATAL');
  assert.equal(fatal?.sqlstate, '08P01', `got ${reply.codes} ${JSON.stringify(reply.errors)}`);
  assert.equal((await c.readUntilClosed()).closed, true, 'the connection is closed');
  // The session's end is recorded as the connection closes: give it a moment to reach the ledger.
  let named = false;
  for (let i = 0; i < 40 && !named; i++) {
    const events = await sessionEvents('d12-large');
    named = events.some((e) => JSON.stringify(e.payload ?? {}).includes('message_too_large'));
    if (!named) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(named, 'the ledger names message_too_large');

  const next = await login('alice', 'd12-after');
  assert.deepEqual((await next.query('SELECT 1')).rows, [['1']]);
  next.end();
  await assertLedgerVerifies(f.gateway);
});
