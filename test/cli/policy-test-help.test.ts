// `vigil policy test --help`: an option several protocol modules share (`--sql`, PostgreSQL and
// MySQL) is described once. Until 7 December the modules' descriptions were joined as they were:
// "a statement on a database connection (a db.query); or a statement on a MySQL connection (a db.query)".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedDescription } from '../../src/cli/sample-help.js';
import { runCli } from '../support/cli.js';

test('the help describes --sql once, naming both databases', async () => {
  const run = await runCli(['policy', 'test', '--help']);
  assert.equal(run.code, 0, run.stderr);
  // Commander wraps the help: read it as one line.
  const help = run.stdout.replace(/\s+/g, ' ');
  assert.match(help, /--sql <text> a statement on a PostgreSQL or MySQL connection \(a db\.query\) --/);
  assert.equal(help.match(/db\.query/g)?.length, 1, help);
});

test('descriptions with the same event type are told once, their differences joined', () => {
  assert.equal(
    mergedDescription([
      'a statement on a PostgreSQL connection (a db.query)',
      'a statement on a MySQL connection (a db.query)',
      'a statement on a SQLite connection (a db.query)',
    ]),
    'a statement on a PostgreSQL, MySQL or SQLite connection (a db.query)',
  );
  assert.equal(
    mergedDescription(['a prompt (an llm.request)', 'a prompt (an llm.request)']),
    'a prompt (an llm.request)',
  );
});

test('descriptions of different event types, or with nothing clear to merge, stay apart', () => {
  assert.equal(
    mergedDescription(['a command on an SSH connection (an ssh.exec)', 'a line on a shell (an ssh.command)']),
    'a command on an SSH connection (an ssh.exec); or a line on a shell (an ssh.command)',
  );
  assert.equal(
    mergedDescription(['statements on PostgreSQL (a db.query)', 'a statement on MySQL (a db.query)']),
    'statements on PostgreSQL (a db.query); or a statement on MySQL (a db.query)',
  );
  assert.equal(
    mergedDescription(['a statement (a db.query)', 'a statement or a batch (a db.query)']),
    'a statement (a db.query); or a statement or a batch (a db.query)',
  );
});
