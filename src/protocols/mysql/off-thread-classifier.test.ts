// The gateway's classification (parsed in worker threads, parser-pool.ts) must be the one an
// in-process parse gives, for any text: the facts, text and tokens of each statement, and the same
// refusals. Random texts over the shapes the classifier treats apart (kinds, multi-statements,
// comments, KILL, PREPARE, nesting on both sides of the caps, arbitrary strings).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { ParserPool } from './parser-pool.js';
import {
  type Classification,
  classifyMysqlOffThread,
  classifyUncached,
  MAX_PARSED_NESTING,
} from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';

const pool = new ParserPool();
after(() => pool.close());
const parsing = { pool, limitMs: 60_000 };
const view = (c: Classification) => JSON.stringify(c);

/** How deep the parentheses of the text's statements nest, as the classifier counts them. */
function deepest(sql: string): number {
  let max = 0;
  for (const s of lexMysql(sql).statements) {
    let depth = 0;
    for (const t of s.tokens) {
      if (t.kind !== 'punct') continue;
      if (t.text === '(') max = Math.max(max, ++depth);
      else if (t.text === ')') depth--;
    }
  }
  return max;
}

const nested = (depth: number) => {
  let e = 'id';
  for (let i = 0; i < depth; i++) e = `(${e} + 1)`;
  return `SELECT ${e} FROM t`;
};
const piece = fc.oneof(
  fc.constantFrom(
    'SELECT id, name FROM items WHERE id = 4',
    "DELETE FROM t WHERE name = 'x'",
    'UPDATE t SET a = 1',
    'INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2',
    'REPLACE INTO t SELECT * FROM u',
    'SHOW TABLES',
    'SET NAMES utf8mb4',
    'KILL QUERY 7',
    "PREPARE s FROM 'DELETE FROM t'",
    'SELECT 1 /*! ; DROP TABLE t */',
    'SELECT * FROM t a JOIN (t b JOIN payroll c ON 1) ON 1',
    'SELEC nonsense',
  ),
  fc.integer({ min: 0, max: MAX_PARSED_NESTING + 4 }).map(nested),
  fc.string({ maxLength: 40 }),
);
const text = fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => p.join('; '));

test('off-thread classification equals an in-process parse', async () => {
  await pool.whenReady();
  await fc.assert(
    fc.asyncProperty(text, async (sql) => {
      const off = await classifyMysqlOffThread(sql, null, parsing);
      const here = classifyUncached(sql);
      // Nesting between the two caps is parsed on the gateway and not in process: only texts both
      // read are compared.
      if (deepest(sql) > MAX_PARSED_NESTING) return;
      assert.equal(view(off), view(here), sql);
    }),
    { numRuns: 150 },
  );
});

test('nesting over the in-process cap and within the gateway cap is parsed on the gateway', async () => {
  const c = await classifyMysqlOffThread(nested(MAX_PARSED_NESTING + 2), null, parsing);
  assert.equal(c.statements[0]?.kind, 'SELECT');
  assert.equal(c.uncertain, null);
  assert.equal(classifyUncached(nested(MAX_PARSED_NESTING + 2)).statements[0]?.kind, 'UNKNOWN');
});
