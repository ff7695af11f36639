// A read-only connection has two walls: the guardrail, and the upstream session set READ ONLY
// (session-checks.ts), which stops what the guardrail reads as a read but writes: a stored function
// that inserts (`SELECT f()`), a sequence's NEXTVAL. The attacker's aim is to take the second wall
// down with what the first lets through: `START TRANSACTION READ WRITE` (a TRANSACTION, read by its
// kind) overrides the session's access mode, COM_RESET_CONNECTION resets it to the server's
// default, and a stored function made outside Vigil (read as a SELECT) can turn it off. All must
// leave the upstream read-only for whatever runs next.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { COM } from '../../src/protocols/mysql/constants.js';
import { parseErr } from '../../src/protocols/mysql/handshake-messages.js';
import { adminConnection, mariadbUnavailable } from '../support/mariadb-server.js';
import { type MysqlFixture, rowCount, startMysqlFixture, vigilOptions } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const unavailable = mariadbUnavailable();
const skip = unavailable ?? false;
let f: MysqlFixture;

before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture('vigil_attack_readonly', { guardrails: { read_only: true } });
  const admin = await adminConnection(f.server, f.database);
  await admin.query('create table items (id int primary key)');
  // What an application's schema may hold: a function that writes, called from a SELECT.
  await admin.query(
    'create function add_item(n int) returns int modifies sql data begin insert into items values (n); return n; end',
  );
  // And one that takes the second wall down: MariaDB lets a stored function change the session's
  // access mode for the transactions after the one it runs in.
  await admin.query(
    'create function lift_read_only() returns int begin set @@session.tx_read_only = 0; return 1; end',
  );
  await admin.end();
});
after(async () => {
  if (f) await f.close();
});

const port = () => Number(f.gateway.listeners[0]!.address.split(':').at(-1));

const itemCount = () => rowCount(f, 'items');

/** The server's own refusal: the session is still read-only. */
const readOnlyTransaction = (e: { errno: number }) => {
  assert.equal(e.errno, 1792);
  return true;
};

test('START TRANSACTION READ WRITE is a write on a read-only connection: the upstream stays read-only', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f));
  await assert.rejects(c.query('start transaction read write'), (e: { errno: number; message: string }) => {
    assert.equal(e.errno, 1142);
    assert.match(e.message, /read-only/);
    return true;
  });
  await assert.rejects(c.query('select add_item(1)'), readOnlyTransaction);
  await c.query('commit').catch(() => undefined);
  await c.end();
  assert.equal(await itemCount(), 0);
});

test('COM_RESET_CONNECTION on a read-only connection leaves the upstream session read-only', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(f.database);
  c.command(COM.RESET_CONNECTION);
  const reset = (await c.answer())[0]!;
  assert.equal(reset.payload[0], 0x00, 'reset');
  c.command(COM.QUERY, Buffer.from('select add_item(2)'));
  const answer = (await c.answer())[0]!;
  assert.equal(answer.payload[0], 0xff, 'refused by the server');
  assert.equal(parseErr(answer.payload).errno, 1792);
  // The connection goes on.
  c.command(COM.QUERY, Buffer.from('select 1'));
  assert.equal((await c.answer())[0]!.payload[0], 1);
  c.socket.end();
  assert.equal(await itemCount(), 0);
});

test('a stored function that turns the session read-write is undone before the next command runs', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f));
  try {
    for (const run of [
      () => c.query('select lift_read_only()'),
      () => c.execute('select lift_read_only()'),
    ]) {
      await run();
      await assert.rejects(c.query('select add_item(3)'), readOnlyTransaction);
      await assert.rejects(c.execute('select add_item(4)'), readOnlyTransaction);
      const [rows] = (await c.query('select @@session.tx_read_only as ro')) as unknown as [{ ro: number }[]];
      assert.equal(Number(rows[0]!.ro), 1);
    }
  } finally {
    await c.end();
  }
  assert.equal(await itemCount(), 0);
});

test('a text of several statements where one before the last may run stored code is refused whole', {
  skip,
}, async () => {
  const c = await mysql.createConnection({ ...vigilOptions(f), multipleStatements: true });
  try {
    for (const text of [
      'select lift_read_only(); select add_item(5)',
      // A view or any table read can hide the function call from the text.
      'select * from items; select add_item(6)',
    ])
      await assert.rejects(c.query(text), (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1142, e.message);
        assert.match(e.message, /several statements/);
        return true;
      });
    // Statements that run no stored code before the last are fine.
    const [sets] = (await c.query('begin; select 1 as one; commit')) as unknown as [unknown[]];
    assert.equal(sets.length, 3);
  } finally {
    await c.end();
  }
  assert.equal(await itemCount(), 0);
});
