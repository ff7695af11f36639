// SQL text in a result cell: literals bound to a secret column withheld, the rest kept; a secret
// column's DEFAULT bound; statistics relations withheld but for the columns that describe them;
// DECLARE and FETCH read beside other statements of one text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';
import { SqlConnectionState } from './sql-connection-state.js';
import { describesStatistics, readsStatistics } from './sql-statistics.js';
import { WITHHELD_LITERAL, withheldSqlLiterals } from './sql-text-cells.js';
import { echoMasker, WITHHELD_CELL } from './value-echoes.js';

const secret = secretNameMatcher();

test('a cell holding SQL has its secret literals withheld and keeps the rest', () => {
  assert.equal(
    withheldSqlLiterals(
      " SELECT users.name\n   FROM users\n  WHERE (users.password <> 'a b c'::text);",
      secret,
      'standard',
    ),
    ` SELECT users.name\n   FROM users\n  WHERE (users.password <> '${WITHHELD_LITERAL}'::text);`,
  );
  assert.equal(
    withheldSqlLiterals("PREPARE s AS INSERT INTO users (name, password) VALUES ($1, 'x y')", secret, 'both'),
    `PREPARE s AS INSERT INTO users (name, password) VALUES ($1, '${WITHHELD_LITERAL}')`,
  );
  for (const kept of ["it's a password, isn't it", "name = 'ann'", 'plain', '[MASKED:secret-column:abcdef]'])
    assert.equal(withheldSqlLiterals(kept, secret, 'both'), kept);
  assert.equal(
    withheldSqlLiterals("password = '[MASKED:secret-column:abcdef]'", secret, 'both'),
    "password = '[MASKED:secret-column:abcdef]'",
  );
});

test("a secret column's DEFAULT is bound, in every definition that gives one", () => {
  const bound = (sql: string) =>
    secretBindings(sql, secret, 'both').literals.map((l) => sql.slice(l.start, l.end));
  assert.deepEqual(
    bound(
      "CREATE TABLE t (id int DEFAULT 5, name varchar(9) DEFAULT 'n', password varchar(40) NOT NULL DEFAULT 'p')",
    ),
    ['p'],
  );
  assert.deepEqual(bound("ALTER TABLE t ALTER COLUMN password SET DEFAULT 'q'"), ['q']);
  assert.deepEqual(
    bound("ALTER TABLE t MODIFY password text DEFAULT 'r', ADD COLUMN api_token text DEFAULT 's'"),
    ['r', 's'],
  );
  assert.deepEqual(bound("ALTER TABLE t CHANGE hint password text DEFAULT 't'"), ['t']);
  assert.deepEqual(bound("INSERT INTO t (name, note) VALUES ('a', DEFAULT)"), []);
  assert.deepEqual(bound("CREATE TABLE t (note text DEFAULT 'kept') DEFAULT CHARSET=latin1"), []);
});

test('a statistics relation keeps only the columns that describe it', () => {
  assert.ok(readsStatistics("SELECT * FROM pg_stats WHERE attname = 'password'", ['standard']));
  assert.ok(readsStatistics('SELECT * FROM mysql.column_stats', ['standard', 'mysql']));
  assert.ok(!readsStatistics('SELECT * FROM pg_stat_activity', ['standard']));
  // A string that names one may be a query a function runs (`query_to_xml('SELECT … FROM pg_stats', …)`).
  assert.ok(readsStatistics("SELECT 'pg_stats'", ['standard']));
  assert.ok(!readsStatistics("SELECT 'pg_stat_activity'", ['standard']));
  assert.ok(
    describesStatistics('attname') && describesStatistics('stakind1') && describesStatistics('NULL_FRAC'),
  );
  assert.ok(
    !describesStatistics('most_common_vals') &&
      !describesStatistics('stavalues1') &&
      !describesStatistics('h'),
  );
  const echo = echoMasker({ statement: 'SELECT attname, histogram_bounds AS h FROM pg_stats' }, null);
  assert.equal(echo('password', true, 0, 2, 'attname'), 'password');
  assert.equal(echo('{a,b}', true, 1, 2, 'h'), WITHHELD_CELL);
});

test('DECLARE and FETCH are read beside other statements of one text', () => {
  const scope = { secretName: secret, connection: new SqlConnectionState('postgres') };
  const echo = (statement: string) => echoMasker({ statement }, { statement }, scope);
  echo('BEGIN; DECLARE c CURSOR FOR SELECT name, password AS q FROM users');
  echo('DECLARE k CURSOR FOR SELECT name, password AS q FROM users');
  assert.equal(echo('FETCH ALL FROM c')('a b c', true, 1, 2, 'q'), WITHHELD_CELL);
  const fetched = echo('SELECT 1; FETCH ALL FROM k');
  assert.equal(fetched('a b c', true, 1, 2, 'q'), WITHHELD_CELL);
  assert.equal(fetched('ann', true, 0, 2, 'name'), 'ann');
  // The other statements' positions are withheld too: one echo serves every result of the text.
  const beside = echo('FETCH ALL FROM k; SELECT api_token AS t FROM users');
  assert.equal(beside('tok', true, 0, 1, 't'), WITHHELD_CELL);
});
