// An attacker's texts that a reader other than MariaDB's own lexer could split differently: a
// version-gated comment the server SKIPS (so a quote in it hides nothing from the server, while a
// reader that takes its content for code sees a string running past the `*/`), and a no-break space
// (U+00A0, byte 0xA0): part of a name to a utf8mb4 session, so `--` before it starts no comment,
// but a space to a latin1 one, so it splits what Vigil would read as one name. Each is sent to the
// real server through Vigil: Vigil must judge what the server runs, or refuse the text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { COM } from '../../src/protocols/mysql/constants.js';
import { parseErr } from '../../src/protocols/mysql/handshake-messages.js';
import { adminConnection } from '../support/mariadb-server.js';
import { mysqlEvents, mysqlFixtureForFile, rowCount, vigilOptions } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_reading', {
  connection: { guardrails: { deny_statements: ['DROP', 'TRUNCATE'], deny_unbounded_writes: true } },
  settings: {
    policy: {
      rules: [{ name: 'no-secrets', match: { tables: ['secrets'] }, action: 'deny', reason: 'secret' }],
    },
  },
  prepare: [
    'create table items (id int primary key, name varchar(40))',
    "insert into items values (1, 'a'), (2, 'b'), (3, 'c')",
    "create table secrets (v varchar(40)); insert into secrets values ('the-secret')",
  ],
});

const itemCount = () => rowCount(f(), 'items');

const deniedBy = (rule: RegExp) => (e: { errno: number; message: string }) => {
  assert.equal(e.errno, 1142);
  assert.match(e.message, rule);
  return true;
};

test('a version comment MariaDB skips is a comment to Vigil too: a quote in it hides no DROP', {
  skip,
}, async () => {
  const c = await mysql.createConnection({ ...vigilOptions(f()), multipleStatements: true });
  await assert.rejects(c.query("/*!99999 select ' */ drop table items -- ' */"), deniedBy(/DROP/));
  // MariaDB skips /*!50700../*!99999 (MySQL-only versions) up to the first */, quotes or not: what
  // follows runs. The server's answer shows it: the SELECT after the comment is what ran.
  const [ran] = (await c.query("/*!99999 select ' */ select 'after' as v -- ' */")) as unknown as [
    { v: string }[],
  ];
  assert.deepEqual(ran, [{ v: 'after' }]);
  await assert.rejects(c.query("/*!50700 select ' */ truncate items -- ' */"), deniedBy(/TRUNCATE/));
  await assert.rejects(c.query("select 'a' /*!99999 ' */ ; drop table items; -- ' */"), deniedBy(/DROP/));
  // A WHERE the server never reads bounds nothing.
  await assert.rejects(c.query('delete from items /*!99999 where id = 1 */'), deniedBy(/unbounded/));
  // What MariaDB runs is still judged: no version, an old one, its own marker with its version.
  await assert.rejects(c.query('/*!40000 drop table items */'), deniedBy(/DROP/));
  await assert.rejects(c.query('/*M!100000 truncate items */'), deniedBy(/TRUNCATE/));
  const [kept] = (await c.query('/*M!100000 select 7 as v */')) as unknown as [{ v: number }[]];
  assert.deepEqual(kept, [{ v: 7 }]);
  await c.end();
  assert.equal(await itemCount(), 3);
  // Recorded as the server read it: the DROP's record names the DROP.
  const drops = (await mysqlEvents(f())).filter(
    (e) =>
      e.type === 'db.query' &&
      JSON.stringify(e.payload?.classification).includes('"DROP"') &&
      String(e.payload?.statement).startsWith('/*!99999'),
  );
  assert.equal(drops.length, 1);
});

test('`--` before a no-break space is no comment to a utf8mb4 session: Vigil refuses the text', {
  skip,
}, async () => {
  const c = await mysql.createConnection({ ...vigilOptions(f()), multipleStatements: true });
  await assert.rejects(
    c.query('select 1 --\u00a0 as v from (select 2 as `\u00a0`) t; drop table items'),
    deniedBy(/no-break space/),
  );
  await c.end();
  // The server's reading, asked directly: what follows `--\u00a0` runs.
  const admin = await adminConnection(f().server, f().database);
  const [ran] = (await admin.query(
    "select 1 --\u00a0 as v from (select 2 as `\u00a0`) t; select 'after' as w",
  )) as unknown as [[unknown, { w: string }[]]];
  await admin.end();
  assert.deepEqual(ran[1], [{ w: 'after' }]);
  assert.equal(await itemCount(), 3);
});

test('a no-break space from a latin1 client is a space to the server: Vigil refuses it', {
  skip,
}, async () => {
  const c = await mysql.createConnection({ ...vigilOptions(f()), charset: 'LATIN1_SWEDISH_CI' });
  // The server reads `select v from secrets`; a name `v\u00a0from\u00a0secrets` would hide the table.
  await assert.rejects(c.query('select v\u00a0from\u00a0secrets'), deniedBy(/no-break space/));
  await assert.rejects(c.query('select v from secrets'), deniedBy(/no-secrets/));
  const [rows] = (await c.query("select 'a\u00a0b' as s")) as unknown as [{ s: string }[]];
  assert.deepEqual(rows, [{ s: 'a\u00a0b' }], 'inside a string it is only a character');
  await c.end();
});

test('à (UTF-8 C3 A0) from a latin1 client is a letter and a space to the server: Vigil refuses it', {
  skip,
}, async () => {
  const c = await mysql.createConnection({ ...vigilOptions(f()), charset: 'LATIN1_SWEDISH_CI' });
  // Sent as the bytes C3 A0: valid UTF-8 for `à`, so `@xàfrom` would read as one variable name
  // (a SELECT of no table), while the latin1 server reads `select @xÃ from secrets`.
  const text = 'select @x\u00c3\u00a0from secrets';
  await assert.rejects(c.query(text), deniedBy(/0xA0/));
  await c.end();
  const direct = await mysql.createConnection({
    host: f().server.host,
    port: f().server.port,
    user: f().server.adminUser,
    password: f().server.adminPassword,
    database: f().database,
    charset: 'LATIN1_SWEDISH_CI',
  });
  const [rows] = (await direct.query(text)) as unknown as [Record<string, unknown>[]];
  await direct.end();
  assert.equal(rows.length, 1, 'the server read the table');
});

test("COM_RESET_CONNECTION that gives the session the server's ANSI_QUOTES mode ends it before another command runs", {
  skip,
}, async (t) => {
  // Only a private server may be reconfigured: others' new sessions would take ANSI_QUOTES too.
  if (f().server.source !== 'private') return t.skip('needs the private server, whose sql_mode it changes');
  const c = await RawMysqlClient.open(f().port);
  await c.login(f().database);
  // Someone changes the server's default after the session started (a new session is refused at
  // its start); the reset hands that default to this session.
  const admin = await adminConnection(f().server, f().database);
  const [before] = (await admin.query('SELECT @@GLOBAL.sql_mode AS mode')) as unknown as [{ mode: string }[]];
  await admin.query("SET GLOBAL sql_mode = 'ANSI_QUOTES'");
  try {
    c.command(COM.RESET_CONNECTION);
    const reset = (await c.answer())[0]!;
    assert.equal(reset.payload[0], 0x00, 'the reset itself is the server answer');
    // Read by Vigil without ANSI_QUOTES as one SELECT of a string; by the server as a DROP.
    c.command(COM.QUERY, Buffer.from('select "a"; drop table items; -- "'));
    const ended = await c.next();
    assert.equal(ended?.payload[0], 0xff, 'the session ends with an error');
    assert.match(parseErr(ended!.payload).message, /setting_pinned|COM_RESET_CONNECTION/);
    assert.equal(await c.next(), null, 'the connection is closed');
  } finally {
    await admin.query('SET GLOBAL sql_mode = ?', [before[0]!.mode]);
    await admin.end();
  }
  assert.equal(await itemCount(), 3);
});
