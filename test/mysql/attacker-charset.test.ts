// The client character set is pinned (pinned-settings.ts): in gbk, big5, sjis, cp932 and gb18030
// the byte 0x5c (a backslash) can be the second byte of a character, so a text Vigil reads as one
// string with an escaped quote runs a DROP after the string on the server. `SET NAMES DEFAULT` and
// `SET character_set_client = DEFAULT` take the server's GLOBAL value, which the session check at
// the start never read (a session starts with the handshake's character set): Vigil cannot know it,
// so it refuses them. The server here is set up as an administrator of a Chinese-locale server might.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CAP, COM } from '../../src/protocols/mysql/constants.js';
import { parseErr } from '../../src/protocols/mysql/handshake-messages.js';
import { adminConnection, mariadbUnavailable } from '../support/mariadb-server.js';
import { gatewayPort, type MysqlFixture, startMysqlFixture, tableExists } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const unavailable = mariadbUnavailable();
const skip = unavailable ?? false;
let f: MysqlFixture;

before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture('vigil_attack_charset', { guardrails: { deny_statements: ['DROP'] } });
  const admin = await adminConnection(f.server, f.database);
  await admin.query('create table items (id int primary key)');
  // Only a private server may be reconfigured: others' sessions would read gbk too.
  if (f.server.source === 'private') await admin.query("set global character_set_client = 'gbk'");
  await admin.end();
});
after(async () => {
  if (f) await f.close();
});

const port = () => gatewayPort(f);

test('SET NAMES DEFAULT and character_set_client = DEFAULT are refused: the global value may hide a backslash', {
  skip: skip || (process.env.VIGIL_TEST_MYSQL_URL ? 'needs a private server (sets a global)' : false),
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(f.database, undefined, CAP.MULTI_STATEMENTS);
  for (const sql of [
    'set names default',
    'SET character_set_client = DEFAULT',
    'set @@character_set_client := default',
  ]) {
    c.command(COM.QUERY, Buffer.from(sql));
    const answer = (await c.answer())[0]!;
    assert.equal(answer.payload[0], 0xff, `${sql} refused`);
    const e = parseErr(answer.payload);
    assert.equal(e.errno, 1235, sql);
    assert.match(e.message, /character set/);
  }
  // Had the session switched to gbk, 0xbf 0x5c would be one character and the quote after it would
  // end the string: the DROP would run. In the pinned character set it stays inside the string.
  c.command(
    COM.QUERY,
    Buffer.concat([
      Buffer.from("select 'a"),
      Buffer.from([0xbf, 0x5c]),
      Buffer.from("'; drop table items; -- '"),
    ]),
  );
  await c.answer();
  c.socket.end();
  assert.equal(await tableExists(f, 'items'), true);
});
