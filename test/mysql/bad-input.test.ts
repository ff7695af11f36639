// A client that misbehaves at the wire level, played by a raw socket: garbage instead of a
// handshake, a command out of sequence, an unknown command, a packet over the limit, a client that
// leaves in the middle of a packet. Each gets a clear MySQL error (or nothing, when it left), the
// gateway stays up, and nothing half-received is recorded as a statement.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { parseErr } from '../../src/protocols/mysql/handshake-messages.js';
import { packet } from '../../src/protocols/mysql/packet-writer.js';
import { assertLedgerVerifies } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { type MysqlFixture, mysqlEvents, startMysqlFixture, vigilOptions } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const unavailable = mariadbUnavailable();
const skip = unavailable ?? false;
let f: MysqlFixture;

before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture('vigil_bad', { max_message_bytes: 64 * 1024 });
});
after(async () => {
  if (f) await f.close();
});

const port = () => Number(f.gateway.listeners[0]!.address.split(':').at(-1));
const query = (sql: string) => packet(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]));

test('garbage instead of a handshake response: a clear error, no session admitted', { skip }, async () => {
  // An HTTP request reads as a 5 MB packet header: refused before its body is read.
  const http = await RawMysqlClient.open(port());
  await http.next();
  http.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  const tooLarge = parseErr((await http.next())!.payload);
  assert.equal(tooLarge.errno, 1153);
  assert.match(tooLarge.message, /^vigil: packet of \d+ bytes or more exceeds the limit/);
  assert.equal(await http.next(), null, 'the connection is closed');
  // A short packet that is no handshake response.
  const short = await RawMysqlClient.open(port());
  await short.next();
  short.socket.write(packet(1, Buffer.from([1, 2, 3])));
  const violation = parseErr((await short.next())!.payload);
  assert.equal(violation.errno, 1047);
  assert.equal(await short.next(), null);
  const starts = (await mysqlEvents(f)).filter((e) => e.type === 'session.start');
  assert.equal(starts.length, 0);
});

test('an unknown command is refused and the connection stays usable; a command out of sequence ends it', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(null);
  c.socket.write(packet(0, Buffer.from([0x20, 1, 2, 3])));
  const refused = await c.next();
  assert.equal(parseErr(refused!.payload).errno, 1047);
  assert.equal(refused!.seq, 1);
  // COM_CHANGE_USER: refused, since a session belongs to one identity.
  c.socket.write(packet(0, Buffer.concat([Buffer.from([0x11]), Buffer.from('root\0\0')])));
  const changeUser = parseErr((await c.next())!.payload);
  assert.equal(changeUser.errno, 1047);
  assert.match(changeUser.message, /COM_CHANGE_USER is refused/);
  c.socket.write(query('select 41 + 1'));
  const columns = await c.next();
  assert.equal(columns?.payload[0], 1);
  for (let p = await c.next(); p && p.payload[0] !== 0xfe; p = await c.next());
  c.socket.write(packet(5, Buffer.from([0x03, 0x31])));
  const fatal = await c.next();
  assert.equal(parseErr(fatal!.payload).errno, 1047);
  assert.equal(await c.next(), null);
});

test('a packet over the limit is refused from its header; nothing of it is recorded', { skip }, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(null);
  const big = `select '${'x'.repeat(70 * 1024)}' as marker_big`;
  c.socket.write(query(big));
  const err = await c.next();
  assert.equal(parseErr(err!.payload).errno, 1153);
  assert.equal(await c.next(), null);
  const events = await mysqlEvents(f);
  assert.equal(
    events.some((e) => String(e.payload?.statement ?? '').includes('marker_big')),
    false,
  );
  assert.ok(events.some((e) => e.type === 'session.end' && e.payload?.error === 'message_too_large'));
});

test('a client that leaves in the middle of a packet: nothing half-received runs or is recorded', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(null);
  const whole = query("insert into half values ('marker_half')");
  c.socket.write(whole.subarray(0, whole.length - 5));
  await new Promise((r) => setTimeout(r, 200));
  c.socket.destroy();
  await new Promise((r) => setTimeout(r, 300));
  const events = await mysqlEvents(f);
  assert.equal(
    events.some((e) => String(e.payload?.statement ?? '').includes('marker_half')),
    false,
  );
  // The gateway goes on serving.
  const ok = await mysql.createConnection(vigilOptions(f));
  await ok.query('select 1');
  await ok.end();
  await assertLedgerVerifies(f.gateway);
});

test('random bytes after login never crash the gateway', { skip }, async () => {
  for (let i = 0; i < 20; i++) {
    const c = await RawMysqlClient.open(port());
    await c.login(null);
    const junk = Buffer.alloc(64 + i * 13);
    for (let j = 0; j < junk.length; j++) junk[j] = (j * 131 + i * 17) & 0xff;
    c.socket.write(junk);
    // Whatever it was, the answer is an ERR or a close, never a hang.
    for (let p = await c.next(); p; p = await c.next()) if (p.payload[0] === 0xff) break;
    c.socket.destroy();
  }
  const ok = await mysql.createConnection(vigilOptions(f));
  await ok.query('select 1');
  await ok.end();
});
