// One statement that holds the whole gateway. node-sql-parser takes time exponential in the nesting
// of join groups after JOIN (`t JOIN (t JOIN (... ) ON 1) ON 1`), of subqueries there and of some
// function arguments, and it runs on the gateway's one thread: until 7 December sixteen levels (315
// bytes) held every session of the gateway, every protocol, for about 30 s, and each level about
// doubles that. A statement nested deeper than Vigil parses is now refused at once, and other
// sessions go on. Through the gateway, against a real MariaDB.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { mysqlEvents, mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_parser_nesting', {
  prepare: ['create table t (id int); insert into t values (1)'],
});

function nestedJoin(levels: number): string {
  let group = 't';
  for (let i = 0; i < levels; i++) group = `t a${i} JOIN (${group}) ON 1`;
  return `SELECT 1 FROM ${group}`;
}

test('a statement nested too deep to parse in bounded time is refused at once, and other sessions go on', {
  skip,
}, async () => {
  const attacker = await mysql.createConnection(vigilOptions(f()));
  const other = await mysql.createConnection(vigilOptions(f()));
  try {
    const started = performance.now();
    const refused = attacker.query(nestedJoin(14)).then(
      () => null,
      (e: { errno: number; message: string }) => e,
    );
    const [rows] = (await other.query('SELECT id FROM t')) as unknown as [{ id: number }[]];
    const otherMs = performance.now() - started;
    const error = await refused;
    const attackerMs = performance.now() - started;
    assert.deepEqual(rows, [{ id: 1 }]);
    assert.equal(error?.errno, 1142);
    assert.match(error?.message ?? '', /nests parentheses 14 deep/);
    // Before the bound, the parse alone took tens of seconds (minutes on a loaded machine).
    assert.ok(attackerMs < 5000 && otherMs < 5000, `answers took ${attackerMs} and ${otherMs} ms`);

    // Nesting within the bound is parsed and judged as before.
    const [within] = (await attacker.query(nestedJoin(3))) as unknown as [unknown[]];
    assert.equal(within.length, 1);
  } finally {
    await attacker.end();
    await other.end();
  }
  const refusal = (await mysqlEvents(f())).find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).includes('JOIN (t a12'),
  );
  assert.equal(refusal?.payload?.refused, 'statement_uncertain');
});
