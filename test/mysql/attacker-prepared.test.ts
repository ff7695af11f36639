// Prepared statements played by a raw client, to send what drivers do not:
// - a parameter given by COM_STMT_SEND_LONG_DATA AND flagged NULL in the execution. MariaDB binds
//   the long data and ignores the NULL flag (sql_prepare.cc, insert_params: only a parameter
//   without long data reads its NULL bit), so the record must hold the long data, or the ledger
//   says NULL ran;
// - COM_STMT_CLOSE of MariaDB's "last prepared" id (0xFFFFFFFF), which closes that statement on the
//   server: Vigil must forget it too, or it judges and records executions of a statement that is gone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { COM, TYPE } from '../../src/protocols/mysql/constants.js';
import { parseErr } from '../../src/protocols/mysql/handshake-messages.js';
import { u16, u32 } from '../../src/protocols/mysql/packet-writer.js';
import { adminConnection, mariadbUnavailable } from '../support/mariadb-server.js';
import { type MysqlFixture, mysqlEvents, startMysqlFixture } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const unavailable = mariadbUnavailable();
const skip = unavailable ?? false;
let f: MysqlFixture;

before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture('vigil_attack_prepared');
  const admin = await adminConnection(f.server, f.database);
  await admin.query('create table notes (id int primary key, body varchar(80))');
  await admin.end();
});
after(async () => {
  if (f) await f.close();
});

const port = () => Number(f.gateway.listeners[0]!.address.split(':').at(-1));

test('a parameter sent as long data and flagged NULL is recorded as the long data the server binds', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(f.database);
  c.command(COM.STMT_PREPARE, Buffer.from('insert into notes (id, body) values (1, ?)'));
  const ok = await c.next();
  assert.equal(ok?.payload[0], 0x00, 'prepared');
  const id = ok!.payload.readUInt32LE(1);
  assert.equal(ok!.payload.readUInt16LE(7), 1, 'one parameter');
  await c.next(); // the parameter's definition (EOF deprecated)
  c.command(COM.STMT_SEND_LONG_DATA, u32(id), u16(0), Buffer.from('long-data-value'));
  // NULL bitmap: parameter 0 NULL; new types bound: VAR_STRING.
  c.command(COM.STMT_EXECUTE, u32(id), Buffer.from([0]), u32(1), Buffer.from([0x01, 1, TYPE.VAR_STRING, 0]));
  const done = await c.answer();
  assert.equal(done.at(-1)?.payload[0], 0x00, 'executed');
  c.socket.end();

  const admin = await adminConnection(f.server, f.database);
  const [rows] = (await admin.query('select body from notes where id = 1')) as unknown as [
    { body: string | null }[],
  ];
  await admin.end();
  assert.deepEqual(rows, [{ body: 'long-data-value' }], 'the server bound the long data');
  const executed = (await mysqlEvents(f)).filter(
    (e) => e.type === 'db.query' && e.payload?.protocol === 'binary',
  );
  assert.equal(executed.length, 1);
  assert.deepEqual(executed[0]!.payload?.parameters, ['long-data-value']);
});

async function prepare(c: RawMysqlClient, sql: string): Promise<number> {
  c.command(COM.STMT_PREPARE, Buffer.from(sql));
  const ok = await c.next();
  assert.equal(ok?.payload[0], 0x00, 'prepared');
  const columns = ok!.payload.readUInt16LE(5);
  const params = ok!.payload.readUInt16LE(7);
  for (let i = 0; i < columns + params; i++) await c.next();
  return ok!.payload.readUInt32LE(1);
}

const execute = (c: RawMysqlClient, id: number) =>
  c.command(COM.STMT_EXECUTE, u32(id), Buffer.from([0]), u32(1));

test('closing the "last prepared" id closes that statement for Vigil as on the server', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(f.database);
  const first = await prepare(c, "select 'first' as v");
  const last = await prepare(c, "select 'last' as v");
  c.command(COM.STMT_CLOSE, u32(0xffff_ffff));
  // The server no longer has it: Vigil refuses the execution instead of judging a text that is gone.
  execute(c, last);
  const refused = parseErr((await c.answer())[0]!.payload);
  assert.equal(refused.errno, 1142);
  assert.match(refused.message, /was not prepared on this connection/);
  execute(c, 0xffff_ffff);
  assert.match(parseErr((await c.answer())[0]!.payload).message, /was not prepared on this connection/);
  // The other statement is untouched.
  execute(c, first);
  const rows = await c.answer();
  assert.ok(rows.some((p) => p.payload.includes(Buffer.from('first'))));
  c.socket.end();
});
