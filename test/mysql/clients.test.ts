// Real clients through Vigil against a real MariaDB, with results compared to the same client
// talking to the server directly: the mariadb command-line client, mysqldump, mysqlslap, mysql2
// (text and prepared statements with every common type, multi-statements, a 20 MB blob) and the
// MariaDB Node connector (which pipelines PREPARE and EXECUTE).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import mariadb from 'mariadb';
import mysql from 'mysql2/promise';
import { assertLedgerVerifies } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import {
  clientArgs,
  directOptions,
  type MysqlFixture,
  mysqlEvents,
  runClient,
  startMysqlFixture,
  vigilOptions,
} from './mysql-gateway.js';

const unavailable = mariadbUnavailable();
let f: MysqlFixture;
before(async () => {
  if (unavailable) return;
  f = await startMysqlFixture('vigil_clients', { record_rows: 2, max_message_bytes: 64 * 1024 * 1024 });
});
after(async () => {
  if (f) await f.close();
});

const TYPES_TABLE = `create table typed (
  id int primary key, ti tinyint, si smallint, mi mediumint, bi bigint, bu bigint unsigned,
  de decimal(12,4), fl float, db double, d date, dt datetime(6), tm time(3), ts timestamp null,
  yr year, ch char(3), vc varchar(40), tx text, bl blob, js json, en enum('a','b'), st set('x','y'),
  bt bit(8), nn int) default charset=utf8mb4`;
const TYPED_COLUMNS =
  'id, ti, si, mi, bi, bu, de, fl, db, d, dt, tm, ts, yr, ch, vc, tx, bl, js, en, st, bt, nn';

const ROWS: mysql.ExecuteValues[][] = [
  [
    1,
    -128,
    -32768,
    -8388608,
    '-9223372036854775808',
    '18446744073709551615',
    '12345678.1234',
    1.5,
    Math.PI,
    '2024-02-29',
    '2024-02-29 13:45:59.123456',
    '-838:59:59.000',
    '2024-01-01 00:00:00',
    2024,
    'abc',
    'héllo wörld ✓',
    'line1\nline2',
    Buffer.from([0, 1, 2, 255]),
    '{"a": [1, 2]}',
    'b',
    'x,y',
    Buffer.from([0xa5]),
    null,
  ],
  [
    2,
    127,
    32767,
    8388607,
    '9223372036854775807',
    '0',
    '-0.0001',
    -0,
    -1e-300,
    '1000-01-01',
    '9999-12-31 23:59:59.999999',
    '00:00:00.000',
    null,
    1901,
    '',
    "quote ' and \\ backslash",
    '',
    Buffer.alloc(0),
    'null',
    'a',
    '',
    Buffer.from([0]),
    7,
  ],
];

async function bothWays<T>(run: (c: mysql.Connection) => Promise<T>): Promise<[T, T]> {
  const direct = await mysql.createConnection({
    ...directOptions(f),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: true,
  });
  const vigil = await mysql.createConnection({
    ...vigilOptions(f),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: true,
  });
  try {
    return [await run(direct), await run(vigil)];
  } finally {
    await direct.end();
    await vigil.end();
  }
}

test('mysql2: every common type through prepared statements and text queries, identical to direct', {
  skip: unavailable ?? false,
}, async () => {
  const setup = await mysql.createConnection(vigilOptions(f));
  await setup.query(TYPES_TABLE);
  // With its columns listed: an INSERT without a list has every text value masked in the record.
  for (const row of ROWS)
    await setup.execute(
      `insert into typed (${TYPED_COLUMNS}) values (${row.map(() => '?').join(', ')})`,
      row,
    );
  await setup.end();
  const [direct, vigil] = await bothWays(async (c) => [
    (await c.query('select * from typed order by id'))[0],
    (await c.execute('select * from typed where id >= ? order by id', [1]))[0],
    (
      await c.execute('select ? as a, ? as b, ? as c, ? as d, ? as e', [
        null,
        1.25,
        'x',
        Buffer.from('yz'),
        -7,
      ])
    )[0],
    (await c.query('select 1 as one; select 2 as two; select id from typed order by id'))[0],
  ]);
  assert.deepEqual(vigil, direct);
  assert.equal((vigil[0] as unknown[]).length, 2);
  // What was recorded: the parameters of each execution, decoded by type.
  const inserts = (await mysqlEvents(f)).filter(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('insert into typed'),
  );
  assert.equal(inserts.length, 2);
  const params = inserts[0]!.payload?.parameters as unknown[];
  assert.equal(params.length, 23);
  assert.deepEqual(params.slice(0, 3), [1, -128, -32768]);
  assert.equal(params[11], '-838:59:59.000');
  assert.equal(params[15], 'héllo wörld ✓');
  assert.equal(params[17], '\\x000102ff');
  assert.equal(params[22], null);
  assert.equal(inserts[0]!.payload?.protocol, 'binary');
});

test('mysql2: a 20 MB blob goes in as a split packet and comes back identical', {
  skip: unavailable ?? false,
}, async () => {
  const blob = randomBytes(20 * 1024 * 1024);
  const c = await mysql.createConnection(vigilOptions(f));
  await c.query('create table blobs (id int primary key, b longblob)');
  await c.execute('insert into blobs values (?, ?)', [1, blob]);
  const [viaExecute] = (await c.execute('select b from blobs where id = ?', [1])) as unknown as [
    { b: Buffer }[],
  ];
  const [viaQuery] = (await c.query('select b from blobs where id = 1')) as unknown as [{ b: Buffer }[]];
  await c.end();
  assert.ok(viaExecute[0]!.b.equals(blob));
  assert.ok(viaQuery[0]!.b.equals(blob));
  const insert = (await mysqlEvents(f)).find(
    (e) => e.type === 'db.query' && e.payload?.statement === 'insert into blobs values (?, ?)',
  )!;
  // A value this large is recorded by its size and digest, never in part.
  const recorded = (insert.payload!.parameters as unknown[])[1] as { bytes: number; sha256: string };
  assert.equal(recorded.bytes, blob.length);
  assert.match(recorded.sha256, /^[0-9a-f]{64}$/);
});

test('the mariadb command-line client: the same output through Vigil as direct', {
  skip: unavailable ?? false,
}, async () => {
  const setup = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f)),
    f.database,
    '-e',
    "create table cli (id int primary key, s varchar(20)); insert into cli values (1,'a'),(2,NULL),(3,'tab\\there');",
  ]);
  assert.equal(setup.code, 0, setup.stderr);
  const script =
    "select * from cli order by id; select count(*) as n from cli; show tables; select 'x' as y\\G";
  const direct = await runClient('mariadb', [
    ...clientArgs(directOptions(f)),
    f.database,
    '--batch',
    '-e',
    script,
  ]);
  const vigil = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f)),
    f.database,
    '--batch',
    '-e',
    script,
  ]);
  assert.equal(vigil.stderr, '');
  assert.equal(vigil.code, 0);
  assert.equal(vigil.stdout, direct.stdout);
  assert.match(vigil.stdout, /tab\\there/);
  // A failing statement fails the same way.
  const bad = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f)),
    f.database,
    '-e',
    'select * from missing_table',
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /ERROR 1146 \(42S02\).*missing_table/);
});

test('mysqldump: the same dump through Vigil as direct', { skip: unavailable ?? false }, async () => {
  const strip = (s: string) => s.replace(/^-- Dump completed on .*$/m, '');
  const direct = await runClient('mysqldump', [
    ...clientArgs(directOptions(f)),
    '--skip-comments',
    f.database,
    'cli',
    'typed',
  ]);
  const vigil = await runClient('mysqldump', [
    ...clientArgs(vigilOptions(f)),
    '--skip-comments',
    f.database,
    'cli',
    'typed',
  ]);
  assert.equal(vigil.code, 0, vigil.stderr);
  assert.equal(vigil.stderr, '');
  assert.equal(strip(vigil.stdout), strip(direct.stdout));
  assert.match(vigil.stdout, /INSERT INTO `cli` VALUES/);
  // Every statement mysqldump sent was classified, none refused.
  const denials = (await mysqlEvents(f)).filter((e) => e.type === 'policy.decision');
  assert.deepEqual(denials, []);
});

test('mysqlslap: a generated load with several clients runs through Vigil, every statement recorded', {
  skip: unavailable ?? false,
}, async () => {
  const run = await runClient('mysqlslap', [
    ...clientArgs(vigilOptions(f)),
    '--concurrency=4',
    '--iterations=1',
    '--number-of-queries=200',
    '--auto-generate-sql',
    '--auto-generate-sql-load-type=mixed',
    '--create-schema=vigil_slap',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Number of clients running queries: 4/);
  const queries = (await mysqlEvents(f)).filter(
    (e) => e.type === 'db.query' && /t1/.test(String(e.payload?.statement)),
  );
  assert.ok(queries.length >= 200, `recorded ${queries.length}`);
});

test('the MariaDB connector: pipelined prepare and execute, identical to direct', {
  skip: unavailable ?? false,
}, async () => {
  const setup = await mysql.createConnection(vigilOptions(f));
  await setup.query('create table piped (id int primary key, vc varchar(20), js json)');
  await setup.query(`insert into piped values (1, 'one', '{"k": 1}'), (2, NULL, '[]')`);
  await setup.end();
  const run = async (o: object) => {
    const c = await mariadb.createConnection({
      ...o,
      pipelining: true,
      dateStrings: true,
      bigIntAsNumber: true,
      allowPublicKeyRetrieval: true,
    });
    try {
      return await Promise.all([
        c.execute('select id, vc, js from piped where id = ?', [1]),
        c.execute('select id, vc, js from piped where id = ?', [2]),
        c.query('select count(*) as n from piped'),
        c.execute('select ? as p', ['pipelined']),
      ]);
    } finally {
      await c.end();
    }
  };
  const direct = await run(directOptions(f));
  const vigil = await run(vigilOptions(f));
  assert.deepEqual(JSON.parse(JSON.stringify(vigil)), JSON.parse(JSON.stringify(direct)));
  await assertLedgerVerifies(f.gateway);
});
