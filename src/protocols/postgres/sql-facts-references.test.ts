import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { loadModule, parseSync } from 'libpg-query';
import { namedReferencesOf } from './sql-facts-references.js';

before(async () => {
  await loadModule();
});

const refs = (sql: string) => namedReferencesOf(parseSync(sql) as never);

test('EXECUTE, FETCH and MOVE are found wherever they sit', () => {
  assert.deepEqual(refs('EXECUTE s(1, 2)'), { executes: ['s'], fetches: [] });
  assert.deepEqual(refs('EXPLAIN ANALYZE EXECUTE s'), { executes: ['s'], fetches: [] });
  assert.deepEqual(refs('CREATE TABLE x AS EXECUTE s'), { executes: ['s'], fetches: [] });
  assert.deepEqual(refs('FETCH ALL FROM c; MOVE 2 IN "C d"'), { executes: [], fetches: ['c', 'C d'] });
  assert.deepEqual(refs('PREPARE p AS SELECT 1; EXECUTE p; EXECUTE q'), { executes: ['q'], fetches: [] });
  assert.deepEqual(refs('EXECUTE p; PREPARE p AS SELECT 1'), { executes: ['p'], fetches: [] });
  assert.deepEqual(refs('DECLARE c CURSOR FOR SELECT 1; FETCH c'), { executes: [], fetches: [] });
});

test('property: a name is reported exactly when no earlier statement of the text made it', () => {
  const name = fc.constantFrom('a', 'b', '"C d"');
  const statement = fc.oneof(
    name.map((n) => ({ sql: `PREPARE ${n} AS SELECT 1`, prepares: n })),
    name.map((n) => ({ sql: `DECLARE ${n} CURSOR FOR SELECT 1`, declares: n })),
    name.map((n) => ({ sql: `EXECUTE ${n}`, executes: n })),
    name.map((n) => ({ sql: `EXPLAIN ANALYZE EXECUTE ${n}`, executes: n })),
    name.map((n) => ({ sql: `FETCH ALL FROM ${n}`, fetches: n })),
    name.map((n) => ({ sql: `MOVE NEXT IN ${n}`, fetches: n })),
    fc.constant({ sql: 'SELECT 1' }),
  );
  const unquote = (n: string) => n.replaceAll('"', '');
  fc.assert(
    fc.property(fc.array(statement, { minLength: 1, maxLength: 6 }), (statements) => {
      const prepared = new Set<string>();
      const declared = new Set<string>();
      const expected = { executes: [] as string[], fetches: [] as string[] };
      for (const s of statements) {
        if ('prepares' in s) prepared.add(unquote(s.prepares));
        if ('declares' in s) declared.add(unquote(s.declares));
        if ('executes' in s && !prepared.has(unquote(s.executes)))
          expected.executes.push(unquote(s.executes));
        if ('fetches' in s && !declared.has(unquote(s.fetches))) expected.fetches.push(unquote(s.fetches));
      }
      const sql = statements.map((s) => s.sql).join('; ');
      assert.deepEqual(refs(sql), expected, sql);
    }),
  );
});
