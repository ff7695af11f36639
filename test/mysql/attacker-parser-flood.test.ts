// One identity flooding the statement parser from many connections. Each connection waits for one
// parse at a time, but an identity may hold many connections: until 7 December every parse waited
// in one queue, first come first served, so an identity sending slow-to-parse statements (each
// refused only when its parse outlasts parse_time_limit_ms) on eight connections held another
// identity's next new statement for four limits. Now each identity's parses wait their own turn,
// and past parse_queue_per_identity waiting the next is refused at once (parser_queue_full). Real
// MariaDB, mysql2, two identities.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { TOKENS } from '../support/gateway.js';
import { mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';
import { slowStatement } from './slow-statement.js';

const LIMIT_MS = 2000;
const { skip, f } = mysqlFixtureForFile('vigil_attack_parser_flood', {
  connection: { parse_time_limit_ms: LIMIT_MS, parse_queue_per_identity: 3 },
  prepare: ['create table t (id int); insert into t values (1)'],
});

test("one identity's flood of slow statements is refused past its bound and does not hold another identity's", {
  skip,
}, async () => {
  const flood = await Promise.all(Array.from({ length: 8 }, () => mysql.createConnection(vigilOptions(f()))));
  const bob = await mysql.createConnection(vigilOptions(f(), TOKENS.bob));
  try {
    const events: string[] = [];
    const sent = flood.map((c) =>
      c.query(slowStatement()).then(
        () => events.push('flood answered'),
        (e: { errno: number; message: string }) => {
          if (/already waiting for the statement parser/.test(e.message))
            events.push(`queue full ${e.errno}`);
          else if (/to parse/.test(e.message)) events.push(`too slow ${e.errno}`);
          else events.push(`other: ${e.message}`);
        },
      ),
    );
    // The flood is queued (two parsing, three waiting, three refused) well within one limit.
    await new Promise((r) => setTimeout(r, LIMIT_MS / 4));
    const [rows] = (await bob.query('SELECT id + 7 AS x FROM t WHERE id > 0')) as unknown as [
      { x: number }[],
    ];
    events.push('bob answered');
    await Promise.all(sent);
    assert.deepEqual(rows, [{ x: 8 }]);
    const before = events.slice(0, events.indexOf('bob answered'));
    // Bob waited for at most the two parses running when he came (or, were the workers still
    // loading the parser, the one ahead of him in turn), not for the three waiting before him:
    // first come first served, six would have ended first.
    assert.ok(before.filter((e) => e.startsWith('too slow')).length <= 2, before.join(', '));
    // Every statement of the flood was refused: three at once, or more had no worker taken any
    // yet, the rest when their parse outlasted the limit.
    const flooded = events.filter((e) => e !== 'bob answered');
    assert.equal(flooded.length, 8);
    assert.ok(
      flooded.every((e) => e === 'queue full 1317' || e === 'too slow 1142'),
      flooded.join(', '),
    );
    assert.ok(flooded.filter((e) => e === 'queue full 1317').length >= 3, flooded.join(', '));
  } finally {
    for (const c of [...flood, bob]) c.destroy();
  }
});
