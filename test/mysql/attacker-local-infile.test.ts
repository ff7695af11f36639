// A packet pipelined behind LOAD DATA LOCAL INFILE, before the server has asked for the file: the
// server reads it as the file's first packet, never as a command, so it must not be judged and
// recorded as a statement. Vigil read it as a new command (it did not yet know the server would ask
// for a file) and recorded a query the server never ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAP, COM } from '../../src/protocols/mysql/constants.js';
import { packet } from '../../src/protocols/mysql/packet-writer.js';
import { mysqlEvents, mysqlFixtureForFile } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_infile', {
  connection: { allow_local_infile: true },
  prepare: ['create table items (id int primary key, name varchar(40))'],
});

const query = (text: string) => packet(0, Buffer.concat([Buffer.from([COM.QUERY]), Buffer.from(text)]));

async function recordedQueries(): Promise<string[]> {
  return (await mysqlEvents(f()))
    .filter((e) => e.type === 'db.query')
    .map((e) => String(e.payload?.statement ?? ''));
}

test('a command pipelined behind LOAD DATA LOCAL reaches the server as file content: it is not recorded as a query', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(f().port);
  await c.login(f().database, undefined, CAP.LOCAL_FILES);
  c.socket.write(
    Buffer.concat([
      query("load data local infile '/vigil-no-such-file' into table items"),
      query("select 'pipelined-marker'"),
    ]),
  );
  const request = await c.next();
  assert.equal(request?.payload[0], 0xfb, 'the server asked for the file');
  // The server reads the pipelined packet as the file (out of sequence) and fails the load.
  const answer = await c.next();
  assert.equal(answer?.payload[0], 0xff, 'the server failed the load');
  c.socket.destroy();
  const queries = await recordedQueries();
  assert.ok(queries.some((q) => q.includes('vigil-no-such-file')));
  assert.ok(
    !queries.some((q) => q.includes('pipelined-marker')),
    'a statement the server never ran is on record',
  );
});

test('when the server answers LOAD DATA LOCAL without asking for the file, the pipelined command runs, judged and recorded', {
  skip,
}, async () => {
  const c = await RawMysqlClient.open(f().port);
  await c.login(f().database, undefined, CAP.LOCAL_FILES);
  c.socket.write(
    Buffer.concat([
      query("load data local infile '/vigil-no-such-file' into table no_such_table"),
      query("select 'after-error-marker'"),
    ]),
  );
  const failed = await c.answer();
  assert.equal(failed[0]?.payload[0], 0xff, 'the load fails: no such table');
  const selected = await c.answer();
  assert.ok(
    selected.some((p) => p.payload.includes('after-error-marker')),
    'the pipelined select ran',
  );
  c.socket.destroy();
  assert.ok((await recordedQueries()).some((q) => q.includes('after-error-marker')));
});
