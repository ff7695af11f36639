import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { commandNames } from './action-facts.js';
import { expandsHistory, runsFc } from './history-reruns.js';

test('history events and quick substitution are found; what bash leaves alone mostly is not', () => {
  for (const line of [
    '!!',
    'sudo !!',
    'echo !$',
    '!rm',
    '!-2',
    'echo "x!y"',
    'echo !(a)',
    '^rm^ls',
    'echo \\\n^a^b',
    '$!a',
    'a!"b"',
    // `${!` is indirection only when a `}` follows on its line.
    'echo ${!!',
    'echo ${!a',
    'echo ${!a\n}',
  ]) {
    assert.equal(expandsHistory(line), true, line);
  }
  for (const line of [
    'echo hi!',
    'echo "hi!"',
    "echo 'a!b'",
    'echo a\\!b',
    '[[ ! -f x ]] && echo no',
    'test a != b',
    'echo $! ${!name}',
    ' ^a^b',
  ]) {
    assert.equal(expandsHistory(line), false, line);
  }
});

test('fc runs a history entry unless it lists', () => {
  const runs = (line: string) => runsFc(line, commandNames(line));
  for (const line of [
    'fc',
    'fc -s',
    'fc -s rm=ls',
    'fc -e vi 42',
    'ls; fc',
    'builtin fc -s',
    'fc -l; fc -s',
  ]) {
    assert.equal(runs(line), true, line);
  }
  for (const line of ['fc -l', 'fc -ln 10', 'fc -lr', 'echo fc', 'ls fc-cache', 'fc-list']) {
    assert.equal(runs(line), false, line);
  }
});

// bash is the reference: a line it expands (its output differs from the same line with expansion
// off) is always found; the finder may err only the other way.
const bashMissing = spawnSync('bash', ['-c', 'true']).status === 0 ? false : 'bash is absent';
const pieces = fc.constantFrom(
  'a',
  ' ',
  '!',
  '!!',
  '"',
  "'",
  '\\',
  '$',
  '{',
  '=',
  '(',
  '^',
  '-1',
  'x y',
  '\n',
);
const lineArb = fc.array(pieces, { maxLength: 8 }).map((p) => p.join(''));

function bashPrints(line: string, expansion: boolean): string {
  const r = spawnSync('bash', ['--norc', '--noprofile', '-i'], {
    input: `set -o history $FLAG\nhistory -s seed-command\necho ${line}\n`,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PS1: '<P1>',
      PS2: '<P2>',
      TERM: 'dumb',
      HISTFILE: '/dev/null',
      FLAG: expansion ? '-H' : '+H',
    },
  });
  return `${r.stdout}\n${r.stderr.replace(/^bash: (cannot set terminal process group|no job control).*$/gm, '').replace(/\(\d+\)/g, '')}`;
}

test('property: every line bash expands history in is found', { skip: bashMissing }, () => {
  fc.assert(
    fc.property(lineArb, (line) => {
      // `$$` is each bash's own pid, `$-` its flags (with H or without): printed differently anyway.
      fc.pre(!line.includes('$$') && !/\$\{?-/.test(line));
      // The guard reads a statement whole and each of its lines alone (a shell that rejected the
      // earlier lines reads the next one afresh).
      const text = `echo ${line}`;
      if ([text, ...text.split('\n')].some(expandsHistory)) return;
      assert.equal(bashPrints(line, true), bashPrints(line, false), JSON.stringify(line));
    }),
    { numRuns: Number(process.env.VIGIL_PROPERTY_RUNS ?? 120) },
  );
});
