// Large result rows through the MySQL front door, against a real MariaDB (its max_allowed_packet is
// 64 MiB here, so a row can span several 16 MiB packets). Until 5 December every packet from the
// server, up to 16 MiB, was held whole before the client saw a byte of it: a few hundred clients
// each running `SELECT REPEAT('x', 16000000)` held gigabytes of the gateway's memory, and a row
// over 16 MiB was recorded as `<row over 16 MiB not recorded>`. Now a packet over 1 MiB is passed
// on as it arrives, and its large values are recorded by size and SHA-256 as they stream.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import mysql from 'mysql2/promise';
import { COM } from '../../src/protocols/mysql/constants.js';
import { adminConnection } from '../support/mariadb-server.js';
import {
  gatewayPort,
  mysqlEvents,
  mysqlFixtureForFile,
  UPSTREAM_USER,
  vigilOptions,
} from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const { skip, f } = mysqlFixtureForFile('vigil_large_rows', { connection: { record_rows: 5 } });

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The recorded rows of the db.result whose first recorded value is a digest of `bytes` bytes. */
async function recordedRowsOfSize(bytes: number): Promise<unknown[][]> {
  const results = (await mysqlEvents(f())).filter((e) => e.type === 'db.result');
  const found = results.find((e) => {
    const rows = e.payload?.rows as unknown[][] | undefined;
    const first = rows?.[0]?.[0] as { bytes?: number } | undefined;
    return first?.bytes === bytes;
  });
  assert.ok(
    found,
    `a db.result recording a value of ${bytes} bytes: ${JSON.stringify(results.map((e) => e.payload?.rows))}`,
  );
  return found.payload!.rows as unknown[][];
}

test('mysql2: a 15 MB value arrives intact and is recorded by its size and SHA-256', { skip }, async () => {
  // 470,000 copies of a 32-character digest: 15,040,000 bytes in one packet, a pattern a
  // truncation or a misplaced chunk would show.
  const expected = createHash('md5').update('vigil').digest('hex').repeat(470_000);
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    const [rows] = (await c.query("select repeat(md5('vigil'), 470000) as v, 'tail' as t")) as unknown as [
      { v: string; t: string }[],
    ];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.v.length, expected.length);
    assert.ok(rows[0]!.v === expected, 'the value is byte for byte what the server sent');
    assert.equal(rows[0]!.t, 'tail');
    // The connection goes on: the answer's end was found.
    const [again] = (await c.query('select 1 as one')) as unknown as [{ one: number }[]];
    assert.equal(again[0]!.one, 1);
  } finally {
    await c.end();
  }
  assert.deepEqual(await recordedRowsOfSize(expected.length), [
    [{ bytes: expected.length, sha256: sha256(expected) }, 'tail'],
  ]);
});

test('mysql2: a 20 MB row spans two packets, arrives intact, and its value is recorded by size and SHA-256', {
  skip,
}, async () => {
  const expected = 'ab'.repeat(10_000_000);
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    // Text and binary protocol (a prepared statement's rows).
    const [viaQuery] = (await c.query("select repeat('ab', 10000000) as v, 42 as n")) as unknown as [
      { v: string; n: number }[],
    ];
    const [viaExecute] = (await c.execute('select repeat(?, 10000000) as v, ? as n', [
      'ab',
      'x',
    ])) as unknown as [{ v: string; n: string }[]];
    assert.ok(viaQuery[0]!.v === expected);
    assert.equal(viaQuery[0]!.n, 42);
    assert.ok(viaExecute[0]!.v === expected);
    assert.equal(viaExecute[0]!.n, 'x');
  } finally {
    await c.end();
  }
  // Before 5 December: [['<row over 16 MiB not recorded>']].
  const rows = await recordedRowsOfSize(expected.length);
  assert.deepEqual(rows, [[{ bytes: expected.length, sha256: sha256(expected) }, '42']]);
});

/** Heap and Buffer memory of this process (the gateway runs in it) after a full collection. */
function gatewayMemory(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Waits until the server has, for each of these threads, either sent its whole answer (Sleep) or
 * is blocked sending it ('Writing to net'), the same in two looks in a row.
 */
async function untilServerSettled(ids: readonly number[]): Promise<string[]> {
  const admin = await adminConnection(f().server);
  try {
    let before = '';
    for (;;) {
      const [rows] = (await admin.query(
        'select id, command, state from information_schema.processlist where id in (?) order by id',
        [ids],
      )) as unknown as [{ id: number; command: string; state: string }[]];
      const states = rows.map((r) => (r.command === 'Sleep' ? 'sent' : r.state));
      const now = states.join(',');
      if (states.length === ids.length && states.every((s) => s === 'sent' || s === 'Writing to net')) {
        if (now === before) return states;
      }
      before = now;
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await admin.end();
  }
}

test('connections fetching a 15 MB value each while not reading do not make the gateway hold it', {
  skip,
}, async () => {
  const N = 8;
  const VALUE = 15_000_000;
  const clients: RawMysqlClient[] = [];
  try {
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const c = await RawMysqlClient.open(gatewayPort(f()));
      clients.push(c);
      await c.login(null);
      c.command(COM.QUERY, Buffer.from('select connection_id()'));
      const answer = await c.answer();
      ids.push(Number(answer[2]!.payload.subarray(1).toString()));
    }
    const admin = await adminConnection(f().server);
    const [users] = (await admin.query('select user from information_schema.processlist where id in (?)', [
      ids,
    ])) as unknown as [{ user: string }[]];
    await admin.end();
    assert.deepEqual(
      users.map((u) => u.user),
      ids.map(() => UPSTREAM_USER),
    );
    const before = gatewayMemory();
    // Each client asks for the value and then reads nothing.
    for (const c of clients) {
      c.socket.pause();
      c.command(COM.QUERY, Buffer.from(`select repeat('x', ${VALUE})`));
    }
    const states = await untilServerSettled(ids);
    const grown = gatewayMemory() - before;
    // Before 5 December each connection held its whole packet: the server sent everything (every
    // thread 'sent') and the gateway grew by N x 15 MB. Now each server thread waits for its client
    // ('Writing to net') and the gateway holds what fits in a socket's buffers.
    assert.ok(
      grown < N * 2 * 1024 * 1024,
      `the gateway grew by ${Math.round(grown / 1024 / 1024)} MB for ${N} connections (server: ${states.join(', ')})`,
    );
    // Once read, every client gets its value whole, and the session goes on.
    for (const c of clients) {
      c.socket.resume();
      const answer = await c.answer();
      const row = answer.find((p) => p.payload.length > VALUE)!;
      assert.ok(row, 'the row');
      assert.equal(row.payload.length, 4 + VALUE);
      assert.equal(row.payload.subarray(4).toString(), 'x'.repeat(VALUE));
      c.command(COM.PING);
      assert.equal((await c.answer())[0]!.payload[0], 0x00);
    }
  } finally {
    for (const c of clients) c.socket.destroy();
  }
});
