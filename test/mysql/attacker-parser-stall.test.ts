// A statement the parser would take seconds on, nested within the depth Vigil parses. node-sql-parser
// takes time exponential in some nestings (bench/mysql/parser-nesting.ts: `CAST(CAST(… AS CHAR) AS
// CHAR)` twelve deep takes seconds); until 7 December it ran on the gateway's one thread, so such a
// statement held every session of every protocol for as long as it took, and the only defence was
// refusing any statement nested more than 8 deep. Now statements are parsed in worker threads: a
// parse over the connection's time limit is refused as statement_too_complex while other sessions
// and the gateway's HTTP side carry on, and the gateway serves normally after. Real MariaDB, mysql2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { mysqlEvents, mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';
import { slowStatement } from './slow-statement.js';

// The limit leaves the other session's answers (parse, record, MariaDB) time to arrive first on a
// loaded machine; the statement below takes far longer than it to parse.
const LIMIT_MS = 5000;
const { skip, f } = mysqlFixtureForFile('vigil_attack_parser_stall', {
  connection: { parse_time_limit_ms: LIMIT_MS },
  prepare: ['create table t (id int); insert into t values (1)'],
});

test('a statement whose parse outlasts the limit is refused while other sessions are answered', {
  skip,
}, async () => {
  const attacker = await mysql.createConnection(vigilOptions(f()));
  const other = await mysql.createConnection(vigilOptions(f()));
  try {
    await other.query('SELECT id FROM t');
    const order: string[] = [];
    const refused = attacker.query(slowStatement()).then(
      () => {
        order.push('attacker answered');
        return null;
      },
      (e: { errno: number; message: string }) => {
        order.push('attacker refused');
        return e;
      },
    );
    // Another session: a statement classified before (cached) and one parsed now; and the
    // gateway's HTTP side. All while the slow parse is pending.
    const [cached] = (await other.query('SELECT id FROM t')) as unknown as [{ id: number }[]];
    const [fresh] = (await other.query('SELECT id + 41 AS x FROM t WHERE id > 0')) as unknown as [
      { x: number }[],
    ];
    const health = await fetch(`${f().gateway.url}/healthz`);
    order.push('others answered');
    const error = await refused;
    assert.deepEqual(cached, [{ id: 1 }]);
    assert.deepEqual(fresh, [{ x: 42 }]);
    assert.equal(health.status, 200);
    assert.deepEqual(order, ['others answered', 'attacker refused']);
    assert.equal(error?.errno, 1142);
    assert.match(error?.message ?? '', new RegExp(`longer than ${LIMIT_MS} ms to parse`));

    // The same session and the gateway go on; the replaced worker parses the next statement.
    const [after] = (await attacker.query('SELECT id * 2 AS y FROM t')) as unknown as [{ y: number }[]];
    assert.deepEqual(after, [{ y: 2 }]);
  } finally {
    await attacker.end();
    await other.end();
  }
  const refusal = (await mysqlEvents(f())).find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('SELECT CAST(CAST('),
  );
  assert.equal(refusal?.payload?.refused, 'statement_too_complex');
});

test('a prepared statement whose parse outlasts the limit is refused when executed', { skip }, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    const error = await c.execute(slowStatement()).then(
      () => null,
      (e: { errno: number; message: string }) => e,
    );
    assert.equal(error?.errno, 1142);
    assert.match(error?.message ?? '', new RegExp(`longer than ${LIMIT_MS} ms to parse`));
    const [rows] = (await c.execute('SELECT id FROM t WHERE id = ?', [1])) as unknown as [{ id: number }[]];
    assert.deepEqual(rows, [{ id: 1 }]);
  } finally {
    await c.end();
  }
});

test('statements nested deeper than 8 that parse quickly are run', { skip }, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    let expression = 'id';
    for (let i = 0; i < 11; i++) expression = `(${expression} + 1)`;
    const [rows] = (await c.query(`SELECT ${expression} AS z FROM t`)) as unknown as [{ z: number }[]];
    assert.deepEqual(rows, [{ z: 12 }]);
  } finally {
    await c.end();
  }
});
