// A cursor declared over a renamed secret column withholds those positions when fetched from; a
// cursor it never saw declared, or a statement of other words, withholds nothing; and a name
// declared twice keeps both declarations' positions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNameMatcher } from './secret-names.js';
import { DeclaredCursors } from './sql-cursors.js';
import { type DerivedPositions, derivedSecretPositions } from './sql-derived-columns.js';

const secret = secretNameMatcher();
const derived = (sql: string) => derivedSecretPositions(sql, secret);
const shown = (p: DerivedPositions | null) =>
  p === null ? null : { start: [...p.fromStart], end: [...p.fromEnd], all: p.all ?? false };

test('FETCH from a declared cursor gives its positions, in every spelling of FETCH', () => {
  const cursors = new DeclaredCursors();
  assert.equal(
    cursors.positionsFor(
      'DECLARE c SCROLL CURSOR WITH HOLD FOR SELECT id, password AS q FROM users',
      derived,
    ),
    null,
  );
  for (const fetch of ['FETCH ALL FROM c', 'fetch next in c;', '/* x */ FETCH FORWARD 10 FROM c', 'FETCH c'])
    assert.deepEqual(shown(cursors.positionsFor(fetch, derived)), { start: [1], end: [], all: false }, fetch);
  assert.equal(cursors.positionsFor('FETCH ALL FROM other', derived), null);
  assert.equal(cursors.positionsFor("SELECT 'fetch all from c'", derived), null);
});

test('a name declared twice keeps the union; past the limit an unknown cursor withholds everything', () => {
  const cursors = new DeclaredCursors();
  cursors.positionsFor('DECLARE c CURSOR FOR SELECT password AS p, name FROM users', derived);
  cursors.positionsFor('DECLARE c CURSOR FOR SELECT name, api_token AS t FROM users', derived);
  assert.deepEqual(shown(cursors.positionsFor('FETCH ALL FROM c', derived)), {
    start: [0, 1],
    end: [],
    all: false,
  });
  for (let i = 0; i < 300; i++)
    cursors.positionsFor(`DECLARE k${i} CURSOR FOR SELECT password AS p FROM users`, derived);
  assert.deepEqual(shown(cursors.positionsFor('FETCH ALL FROM k299', derived))?.all, true);
  assert.deepEqual(shown(cursors.positionsFor('FETCH ALL FROM k1', derived)), {
    start: [0],
    end: [],
    all: false,
  });
});

test('a statement too long to read withholds every cell when it reads rows and names a secret', () => {
  const pad = `/* ${'x'.repeat(210_000)} */`;
  assert.equal(derived(`SELECT password AS p FROM users ${pad}`)?.all, true);
  assert.equal(derived(`INSERT INTO t (a) VALUES ('b') ${pad}`), null);
  assert.equal(derived(`SELECT name FROM users ${pad}`), null);
});
