// The writes a statement makes under another kind's name: a MERGE's actions (sql-facts-merge.ts)
// and an upsert's DO UPDATE (sql-facts-upsert.ts), as the nested writes the classifier records.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

const writes = (sql: string) =>
  c
    .classify(sql)
    .filter((s) => s.nested && s.writes)
    .map((s) => [s.kind, s.hasWhere, s.tables]);

test("a MERGE's actions are nested writes on its target, bounded only by a condition on a column", () => {
  assert.deepEqual(writes('MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE'), [
    ['DELETE', false, ['t']],
  ]);
  assert.deepEqual(
    writes(
      'MERGE INTO hr.t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = 1 WHEN NOT MATCHED THEN INSERT VALUES (1) WHEN MATCHED THEN DO NOTHING',
    ),
    [
      ['UPDATE', true, ['hr.t']],
      ['INSERT', false, ['hr.t']],
    ],
  );
  assert.deepEqual(
    writes('WITH x AS (SELECT 1) MERGE INTO t USING x ON true WHEN MATCHED AND t.id = 1 THEN DELETE'),
    [['DELETE', true, ['t']]],
  );
});

test('property: a MERGE action is bounded exactly when its own condition, or the join of a MATCHED action, names a column', () => {
  const condition = fc.constantFrom(
    { sql: 'true', column: false },
    { sql: '1 = 1', column: false },
    { sql: "'a' = 'a'", column: false },
    { sql: 't.id = s.id', column: true },
    { sql: 'id > 1', column: true },
  );
  fc.assert(
    fc.property(
      condition,
      fc.option(condition, { nil: undefined }),
      fc.constantFrom('MATCHED', 'NOT MATCHED BY SOURCE'),
      fc.constantFrom('DELETE', 'UPDATE SET v = 1'),
      (join, own, match, action) => {
        const when = own ? `WHEN ${match} AND ${own.sql} THEN ${action}` : `WHEN ${match} THEN ${action}`;
        const sql = `MERGE INTO t USING s ON ${join.sql} ${when}`;
        const bounded = (own?.column ?? false) || (match === 'MATCHED' && join.column);
        assert.deepEqual(writes(sql), [[action.split(' ')[0], bounded, ['t']]], sql);
      },
    ),
  );
});

test("an upsert's DO UPDATE is a nested UPDATE on its target; DO NOTHING is none", () => {
  assert.deepEqual(writes('INSERT INTO hr.t AS x VALUES (1) ON CONFLICT (id) DO UPDATE SET v = 2'), [
    ['UPDATE', true, ['hr.t']],
  ]);
  assert.deepEqual(writes('INSERT INTO t DEFAULT VALUES ON CONFLICT (id) DO UPDATE SET v = 2'), [
    ['UPDATE', true, ['t']],
  ]);
  assert.deepEqual(writes('INSERT INTO t SELECT * FROM t ON CONFLICT DO NOTHING'), []);
  // Nested in a CTE, an upsert is two nested writes: its INSERT and its UPDATE.
  assert.deepEqual(
    writes(
      'WITH w AS (INSERT INTO t SELECT * FROM u ON CONFLICT (id) DO UPDATE SET v = 0 RETURNING 1) SELECT 1',
    ),
    [
      ['INSERT', false, ['t', 'u']],
      ['UPDATE', false, ['t']],
    ],
  );
});

test('property: an upsert is bounded exactly when it lists its rows or its own WHERE names a column', () => {
  const source = fc.constantFrom(
    { sql: 'VALUES (1)', listed: true },
    { sql: 'VALUES (1), (2)', listed: true },
    { sql: 'SELECT id FROM t', listed: false },
    { sql: '(SELECT 1)', listed: false },
    { sql: 'VALUES (1) UNION SELECT id FROM t', listed: false },
    { sql: 'TABLE u', listed: false },
  );
  const where = fc.constantFrom(
    { sql: '', column: false },
    { sql: ' WHERE true', column: false },
    { sql: " WHERE 'a' = 'a'", column: false },
    { sql: ' WHERE t.v > 0', column: true },
    { sql: ' WHERE excluded.v <> t.v', column: true },
  );
  fc.assert(
    fc.property(source, where, (from, own) => {
      const sql = `INSERT INTO t ${from.sql} ON CONFLICT (id) DO UPDATE SET v = excluded.v${own.sql}`;
      assert.deepEqual(writes(sql), [['UPDATE', from.listed || own.column, ['t']]], sql);
    }),
  );
});
