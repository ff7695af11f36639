// The database a statement is recorded with, when the client pipelines it behind a command that
// changes the database (COM_INIT_DB, or a text with USE) without waiting for that command's
// answer. The session's database changes on the server's OK, so until 5 December a statement
// pipelined behind it was judged and recorded before that OK: `COM_INIT_DB hr` then `SELECT * FROM
// salaries` in one write was recorded as a read of the first database's `salaries`, while the
// server read hr's. Likewise a prepared statement runs in the database it was prepared in (MariaDB
// switches to it for the execution), yet its executions were recorded with the session's database
// of the moment. The record must name the database the server ran the statement in. A session
// whose database is dropped has none (DATABASE() is NULL): until 6 December Vigil kept recording
// the dropped one's name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { COM } from '../../src/protocols/mysql/constants.js';
import { packet, u32 } from '../../src/protocols/mysql/packet-writer.js';
import { gatewayPort, mysqlEvents, mysqlFixtureForFile } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const OTHER = 'vigil_wire_db_other';
const DROPPED = 'vigil_wire_db_dropped';
const { skip, f } = mysqlFixtureForFile('vigil_wire_db', {
  prepare: [
    'create table salaries (who varchar(20))',
    "insert into salaries values ('first')",
    `drop database if exists ${OTHER}`,
    `create database ${OTHER}`,
    `create table ${OTHER}.salaries (who varchar(20))`,
    `insert into ${OTHER}.salaries values ('other')`,
    `drop database if exists ${DROPPED}`,
    `create database ${DROPPED}`,
  ],
});

const command = (code: number, text: string) =>
  packet(0, Buffer.concat([Buffer.from([code]), Buffer.from(text)]));

/** The last text column of a one-row text result (EOF deprecated). */
function onlyValue(answer: { payload: Buffer }[]): string {
  const row = answer.at(-2)!.payload;
  return row.subarray(1, 1 + row[0]!).toString('utf8');
}

async function queryRecord(statement: string): Promise<StoredEvent> {
  const found = (await mysqlEvents(f())).filter(
    (e) => e.type === 'db.query' && e.payload?.statement === statement,
  );
  assert.equal(found.length, 1, statement);
  return found[0]!;
}

test('a statement pipelined behind COM_INIT_DB is recorded with the database the server ran it in', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(gatewayPort(f()));
  await c.login(f().database);
  c.socket.write(
    Buffer.concat([command(COM.INIT_DB, OTHER), command(COM.QUERY, 'select who from salaries /* a */')]),
  );
  assert.equal((await c.answer())[0]!.payload[0], 0x00, 'database changed');
  assert.equal(onlyValue(await c.answer()), 'other', "the server read the other database's table");
  // A COM_INIT_DB the server refuses changes nothing: the next statement is recorded in the last one.
  c.socket.write(
    Buffer.concat([
      command(COM.INIT_DB, 'no_such_database'),
      command(COM.QUERY, 'select who from salaries /* b */'),
    ]),
  );
  assert.equal((await c.answer())[0]!.payload[0], 0xff, 'no such database');
  assert.equal(onlyValue(await c.answer()), 'other');
  c.socket.end();
  assert.equal((await queryRecord('select who from salaries /* a */')).payload?.database, OTHER);
  assert.equal((await queryRecord('select who from salaries /* b */')).payload?.database, OTHER);
});

test('a statement pipelined behind a text with USE is recorded with the database the USE chose', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(gatewayPort(f()));
  await c.login(f().database);
  c.socket.write(
    Buffer.concat([
      command(COM.QUERY, `use ${OTHER}`),
      command(COM.QUERY, 'select who from salaries /* c */'),
      command(COM.FIELD_LIST, 'salaries\0'),
    ]),
  );
  assert.equal((await c.answer())[0]!.payload[0], 0x00, 'database changed');
  assert.equal(onlyValue(await c.answer()), 'other');
  c.socket.end();
  assert.equal((await queryRecord('select who from salaries /* c */')).payload?.database, OTHER);
  assert.equal((await queryRecord('SHOW COLUMNS FROM `salaries`')).payload?.database, OTHER);
});

test('an execution is recorded with the database its statement was prepared in, where the server runs it', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(gatewayPort(f()));
  await c.login(f().database);
  c.command(COM.STMT_PREPARE, Buffer.from('select who from salaries /* d */'));
  const ok = (await c.next())!;
  assert.equal(ok.payload[0], 0x00, 'prepared');
  const id = ok.payload.readUInt32LE(1);
  await c.next(); // the column's definition (EOF deprecated)
  c.command(COM.INIT_DB, Buffer.from(OTHER));
  assert.equal((await c.answer())[0]!.payload[0], 0x00, 'database changed');
  c.command(COM.STMT_EXECUTE, u32(id), Buffer.from([0]), u32(1));
  const rows = await c.answer();
  // A binary row: header 0x00, the NULL bitmap (1 byte for one column), then the value.
  const row = rows.at(-2)!.payload;
  assert.equal(row.subarray(3, 3 + row[2]!).toString('utf8'), 'first', 'the server read the first database');
  c.socket.end();
  const executed = (await mysqlEvents(f())).filter(
    (e) => e.type === 'db.query' && e.payload?.protocol === 'binary',
  );
  assert.equal(executed.length, 1);
  assert.equal(executed[0]!.payload?.database, f().database);
});

test("after DROP DATABASE of the session's database, statements are recorded with none, as the server has", {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(gatewayPort(f()));
  await c.login(f().database);
  c.socket.write(
    Buffer.concat([
      command(COM.QUERY, `use ${DROPPED}`),
      // Another database of the same name but for case is not the session's (lower_case_table_names = 0).
      command(COM.QUERY, `drop database if exists ${DROPPED.toUpperCase()}`),
      command(COM.QUERY, 'select database() /* e */'),
      command(COM.QUERY, `drop database \`${DROPPED}\``),
      command(COM.QUERY, 'select database() /* f */'),
    ]),
  );
  assert.equal((await c.answer())[0]!.payload[0], 0x00, 'database changed');
  assert.equal((await c.answer())[0]!.payload[0], 0x00, 'nothing of that name to drop');
  assert.equal(onlyValue(await c.answer()), DROPPED, "still the session's database");
  assert.equal((await c.answer())[0]!.payload[0], 0x00, 'dropped');
  const none = (await c.answer()).at(-2)!.payload;
  assert.equal(none[0], 0xfb, 'the server has no database now (NULL)');
  c.socket.end();
  assert.equal((await queryRecord('select database() /* e */')).payload?.database, DROPPED);
  assert.equal((await queryRecord('select database() /* f */')).payload?.database, null);
});
