import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_FACTS } from './actions.js';
import { describeQuery } from './db-action-facts.js';

test('db.query: the statement, upper-cased distinct kinds and the tables of every statement', () => {
  const facts = describeQuery({
    statement: 'with d as (delete from a returning *) select * from public.b, d',
    classification: {
      statements: [
        { kind: 'select', hasWhere: false, tables: ['public.b'], writes: false, nested: false },
        { kind: 'DELETE', hasWhere: false, tables: ['a'], writes: true, nested: true },
        { kind: 'SELECT', hasWhere: false, tables: ['public.b'], writes: false, nested: false },
      ],
    },
  });
  assert.deepEqual(facts, {
    ...NO_FACTS,
    text: 'with d as (delete from a returning *) select * from public.b, d',
    statementKinds: ['SELECT', 'DELETE'],
    tables: ['public.b', 'a'],
  });
});

test('db.query: a null statement (an unknown portal) and a missing classification give empty facts', () => {
  assert.deepEqual(describeQuery({ statement: null }), NO_FACTS);
  const odd = describeQuery({ classification: { statements: [null, 3, { tables: 'x' }] } });
  assert.deepEqual([odd.statementKinds, odd.tables], [[], []]);
});
