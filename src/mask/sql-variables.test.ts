// Which MySQL user variables a statement gives a secret, and the cells of a later statement that
// reads one withheld.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNameMatcher } from './secret-names.js';
import { SqlConnectionState } from './sql-connection-state.js';
import { assignedVariables } from './sql-variables.js';
import { echoMasker, WITHHELD_CELL } from './value-echoes.js';

const secret = secretNameMatcher();

test('the variables a statement assigns', () => {
  assert.deepEqual(assignedVariables('SELECT password INTO @v FROM users'), ['v']);
  assert.deepEqual(assignedVariables('SELECT name, password FROM users LIMIT 1 INTO @a, @`B c`'), [
    'a',
    'b c',
  ]);
  assert.deepEqual(assignedVariables('SELECT @x := password, @y:=name FROM users'), ['x', 'y']);
  assert.deepEqual(assignedVariables('SET @w = (SELECT password FROM users), @n := 1').sort(), ['n', 'w']);
  assert.deepEqual(assignedVariables('SELECT @v'), []);
  assert.deepEqual(assignedVariables("SELECT 'a@b.c' INTO OUTFILE '/tmp/x'"), []);
});

test('a later statement reading a variable given a secret has its cells withheld; others keep theirs', () => {
  const connection = new SqlConnectionState('mysql');
  const variables = connection.variables;
  const scope = { secretName: secret, connection };
  const echo = (statement: string) => echoMasker({ statement }, { statement }, scope);
  echo('SELECT password INTO @v FROM users LIMIT 1');
  echo('SET @n = (SELECT name FROM users LIMIT 1)');
  echo('SELECT @v INTO @copy');
  assert.deepEqual([...variables.names].sort(), ['copy', 'v']);
  assert.equal(echo('SELECT @v')('amber falcon river', true, 0, 1, '@v'), WITHHELD_CELL);
  assert.equal(echo('SELECT concat(@copy) AS c')('amber falcon river', true, 0, 1, 'c'), WITHHELD_CELL);
  assert.equal(echo('SELECT @n')('ann', true, 0, 1, '@n'), 'ann');
  assert.equal(echo('SELECT name FROM users')('ann', true, 0, 1, 'name'), 'ann');
});

test('past the bound, a statement reading any variable is withheld whole', () => {
  const connection = new SqlConnectionState('mysql');
  const variables = connection.variables;
  for (let i = 0; i < 300; i++) variables.note(`SELECT password INTO @v${i} FROM users`, secret);
  assert.ok(variables.overflowed);
  const echo = echoMasker(
    { statement: 'SELECT @n, 1' },
    { statement: 'SELECT @n, 1' },
    { secretName: secret, connection },
  );
  assert.equal(echo('1', true, 1, 2, '1'), WITHHELD_CELL);
});
