import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { continueStatement, joinContinuations, statementOpen } from './shell-continuation.js';

test('a statement goes on after a trailing backslash, an open quote, or a trailing pipe or list operator', () => {
  for (const open of [
    'rm -rf \\',
    "echo 'a",
    'echo "a',
    "echo $'a\\'",
    "echo $$'\\''",
    'ls |',
    'true &&',
    'false ||',
  ]) {
    assert.equal(statementOpen(open), true, open);
  }
  for (const done of [
    'rm -rf /',
    "echo 'a'",
    "echo \\$'\\'",
    "echo $'\\''",
    'echo "a\\""',
    'echo \\\\',
    "echo a # it's",
    'sleep 1 &',
    'a | b',
  ]) {
    assert.equal(statementOpen(done), false, done);
  }
});

test('line continuations are removed as the shell removes them, except inside single quotes', () => {
  assert.equal(joinContinuations('r\\\nm -rf \\\n/'), 'rm -rf /');
  assert.equal(joinContinuations("echo 'a\\\nb'"), "echo 'a\\\nb'");
  assert.equal(joinContinuations('echo "a\\\nb"'), 'echo "ab"');
  assert.equal(joinContinuations('echo a\\\\\nb'), 'echo a\\\\\nb', 'an escaped backslash does not continue');
  assert.equal(joinContinuations('ls \\'), 'ls \\', 'a trailing backslash stays');
});

test('continued lines make one statement until it closes', () => {
  let open = '';
  const lines = ['touch /srv/forbidden-\\', 'marker', 'echo next'];
  const statements = lines.map((line) => {
    const next = continueStatement(open, line);
    open = next.open ? next.statement : '';
    return next.statement;
  });
  assert.deepEqual(statements, ['touch /srv/forbidden-\\', 'touch /srv/forbidden-\\\nmarker', 'echo next']);
  assert.equal(joinContinuations(statements[1]!), 'touch /srv/forbidden-marker');
});

// bash is the reference: for text made of words, quotes, backslashes, comments and newlines, a
// statement is open exactly when an interactive bash asks for more, and the text with its line
// continuations removed gives bash the same words.
const bashMissing = spawnSync('bash', ['-c', 'true']).status === 0 ? false : 'bash is absent';
const pieces = fc.constantFrom('a', 'b', ' ', "'", '"', '\\', '\n', '\\\n', '#', "$'", '$', '|', ';', 'x y');
const shellText = fc.array(pieces, { maxLength: 10 }).map((p) => p.join(''));

function bash(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Whether an interactive bash, given the text as typed lines, asks for more (its PS2 prompt). */
function bashReadsOn(text: string): boolean {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-i'], {
    input: `${text}\n`,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PS1: '<P1>', PS2: '<P2>', TERM: 'dumb' },
  });
  return r.stderr.lastIndexOf('<P2>') > r.stderr.lastIndexOf('<P1>');
}

test('statementOpen agrees with bash on whether a statement goes on', { skip: bashMissing }, () => {
  fc.assert(
    fc.property(shellText, (text) => {
      // Syntax errors (`| |`, a leading `;`) say nothing about continuation.
      const checked = bash(`set -n\n${text}`);
      fc.pre(checked.status === 0 || /unexpected end of file|unexpected EOF/.test(checked.stderr));
      assert.equal(statementOpen(text), bashReadsOn(text), JSON.stringify(text));
    }),
    { numRuns: 150 },
  );
});

test('joinContinuations gives bash the same words as the text it came from', { skip: bashMissing }, () => {
  fc.assert(
    fc.property(shellText, (text) => {
      // `$$` is each bash's own pid: two runs print it differently whatever the words.
      fc.pre(!statementOpen(text) && !joinContinuations(text).includes('$$'));
      // Each line's words, printed one per bracket by a function named for every command word.
      const run = (t: string) => bash(`command_not_found_handle() { printf '<%s>' "$@"; echo; }\n${t}`);
      const original = run(text);
      fc.pre(original.status === 0 || !/syntax error/.test(original.stderr));
      const joined = run(joinContinuations(text));
      assert.equal(joined.stdout, original.stdout, JSON.stringify(text));
    }),
    { numRuns: 150 },
  );
});
