// MariaDB's `SET STATEMENT var = value FOR <statement>` runs the statement with the variable set
// for its duration only; when that statement is itself `SET NAMES gbk`, the character set it sets
// stays. So does one set in a compound statement (`BEGIN NOT ATOMIC SET NAMES gbk; END`) or by
// dynamic SQL (`EXECUTE IMMEDIATE 'SET NAMES gbk'`). Vigil's pinned-settings check looked for NAMES
// only right after the text's first SET or a comma, so all of these passed it wherever unknown
// statements are allowed (the parser knows none of them), and from then on the server read 0xbf
// 0x5c as one character: a quote Vigil reads as escaped ends the string there, and a DROP the
// guardrail never saw runs after it.
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
  f = await startMysqlFixture('vigil_attack_set_statement', {
    allow_unknown_statements: true,
    guardrails: { deny_statements: ['DROP'] },
  });
  const admin = await adminConnection(f.server, f.database);
  await admin.query('create table items (id int primary key)');
  await admin.end();
});
after(async () => {
  if (f) await f.close();
});

const port = () => gatewayPort(f);

test('SET STATEMENT ... FOR SET NAMES gbk is refused like SET NAMES gbk, even where unknown statements run', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(f.database, undefined, CAP.MULTI_STATEMENTS);
  for (const sql of [
    'SET STATEMENT max_statement_time = 100 FOR SET NAMES gbk',
    'set statement max_statement_time=100 for set character set big5',
    'SET STATEMENT max_statement_time = 100 FOR SET CHARSET sjis',
    // A compound statement and dynamic SQL keep the character set they set too.
    'BEGIN NOT ATOMIC SET NAMES gbk; END',
    "EXECUTE IMMEDIATE 'SET NAMES gbk'",
    "SET @sql = 'SET NAMES gbk'; EXECUTE IMMEDIATE @sql",
  ]) {
    c.command(COM.QUERY, Buffer.from(sql));
    const answer = (await c.answer())[0]!;
    assert.equal(answer.payload[0], 0xff, `${sql} refused`);
    const e = parseErr(answer.payload);
    assert.equal(e.errno, 1235, `${sql}: ${e.message}`);
    assert.match(e.message, /character set|not a literal/);
  }
  // In gbk, 0xbf 0x5c is one character and the quote after it ends the string: the DROP would run.
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
  assert.equal(await tableExists(f, 'items'), true, 'the DROP never ran');
});

test('SET STATEMENT with a safe character set, or another variable, still runs', { skip }, async () => {
  const c = await RawMysqlClient.open(port());
  await c.login(f.database, undefined, CAP.MULTI_STATEMENTS);
  for (const sql of [
    'SET STATEMENT max_statement_time = 100 FOR SET NAMES utf8mb4',
    'SET STATEMENT max_statement_time = 100 FOR SELECT 1',
  ]) {
    c.command(COM.QUERY, Buffer.from(sql));
    const first = (await c.answer())[0]!.payload;
    if (first[0] === 0xff) assert.fail(`${sql}: ${parseErr(first).message}`);
  }
  c.socket.end();
});
