// Result rows larger than Vigil holds (1 MiB, upstream-follower.ts) through the PostgreSQL front
// door, against the real server. Such a row is passed on to the client as it arrives; until
// 5 December the record kept only `<row of N bytes not recorded>` for it, so a `SELECT id, note,
// big FROM t` whose rows were 3 MB left every small column of them out of the ledger while the
// client read them. Now its values are read as they pass: the small ones are recorded as a held
// row's are, the large ones by size and SHA-256.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { TOKENS } from '../support/gateway.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  runClient,
  startPgFixture,
  vigilClient,
} from './pg-gateway.js';

let f: PgFixture;

// 100,000 copies of a 32-character digest, then the row's id: 3,200,001+ bytes, a pattern a
// truncation or a misplaced chunk would show.
const big = (id: number) => `${createHash('md5').update('vigil').digest('hex').repeat(100_000)}${id}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const digest = (id: number) => ({ bytes: Buffer.byteLength(big(id)), sha256: sha256(big(id)) });
const hex = (b: Buffer) => `\\x${b.toString('hex')}`;
const int4 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};

/**
 * A query whose results come in binary format: node-postgres sends result format 1 in the Bind
 * when `binary` is set, an option its types do not declare.
 */
const binary = (text: string, values: unknown[]): pg.QueryConfig =>
  ({ text, values, binary: true }) as pg.QueryConfig;

before(async () => {
  f = await startPgFixture('vigil_large_rows', { record_rows: 2 });
  const c = directClient(f);
  await c.connect();
  try {
    await c.query('CREATE TABLE t (id int, note text, big text)');
    for (const id of [1, 2, 3])
      await c.query('INSERT INTO t VALUES ($1, $2, $3)', [id, `note ${id}`, big(id)]);
  } finally {
    await c.end();
  }
});
after(() => f.close());

/** The db.result of the one statement whose text includes `marker`. */
async function resultOf(marker: string): Promise<Record<string, unknown>> {
  const events = await pgEvents(f);
  const q = events.filter((e) => e.type === 'db.query' && String(e.payload?.statement).includes(marker));
  assert.equal(q.length, 1, marker);
  const r = events.find(
    (e) => e.type === 'db.result' && e.sessionId === q[0]!.sessionId && e.seq > q[0]!.seq,
  );
  assert.ok(r?.payload);
  return r.payload;
}

test('node-postgres, text format: the small values of a 3 MB row are recorded verbatim', async () => {
  const c = vigilClient(f, TOKENS.alice, { application_name: 'large-rows-text' });
  await c.connect();
  try {
    const r = await c.query('SELECT id, note, big FROM t ORDER BY id /* text */');
    assert.equal(r.rows.length, 3);
    for (const [i, row] of r.rows.entries()) {
      assert.equal(row.id, i + 1);
      assert.equal(row.note, `note ${i + 1}`);
      assert.ok(row.big === big(i + 1), 'the client gets the value byte for byte');
    }
    assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
  } finally {
    await c.end();
  }
  const result = await resultOf('/* text */');
  assert.deepEqual(result.columns, ['id', 'note', 'big']);
  assert.equal(result.row_count, 3);
  // record_rows: 2, as for held rows.
  assert.deepEqual(result.rows, [
    ['1', 'note 1', digest(1)],
    ['2', 'note 2', digest(2)],
  ]);
});

test('node-postgres, binary format: the small values of a 3 MB row are recorded as a held row records them', async () => {
  const c = vigilClient(f, TOKENS.alice, { application_name: 'large-rows-binary' });
  await c.connect();
  try {
    const r = await c.query(binary('SELECT id, note, big FROM t WHERE id = $1 /* binary */', [3]));
    assert.equal(r.rows.length, 1);
    assert.equal(r.rows[0].id, 3);
    assert.equal(String(r.rows[0].note), 'note 3');
    assert.ok(String(r.rows[0].big) === big(3), 'the client gets the value byte for byte');
    // A held row of the same shape, recorded the same way.
    await c.query(binary("SELECT id, note, 'small' AS big FROM t WHERE id = $1 /* held binary */", [3]));
  } finally {
    await c.end();
  }
  const streamed = await resultOf('/* binary */');
  assert.equal(streamed.row_count, 1);
  assert.deepEqual(streamed.rows, [[hex(int4(3)), hex(Buffer.from('note 3')), digest(3)]]);
  const held = await resultOf('/* held binary */');
  assert.deepEqual(held.rows, [[hex(int4(3)), hex(Buffer.from('note 3')), hex(Buffer.from('small'))]]);
});

test('psql: a 3 MB row arrives intact and its id is recorded', async () => {
  const run = await runClient(
    'psql',
    ['-X', '-At', '-c', 'SELECT id, big FROM t WHERE id = 2 /* psql */'],
    f,
    TOKENS.alice,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout === `2|${big(2)}\n`, `psql printed ${run.stdout.length} characters`);
  const result = await resultOf('/* psql */');
  assert.deepEqual(result.rows, [['2', digest(2)]]);
});
