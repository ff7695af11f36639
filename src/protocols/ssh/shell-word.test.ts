import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { commandNames } from './action-facts.js';
import { simpleCommandWords, splitRedirections, unquoteWord } from './shell-word.js';

test('quote removal: backslashes, single, double and ANSI-C quotes', () => {
  assert.equal(unquoteWord('\\rm'), 'rm');
  assert.equal(unquoteWord("r''m"), 'rm');
  assert.equal(unquoteWord('"r"m'), 'rm');
  assert.equal(unquoteWord("$'\\x72m'"), 'rm');
  assert.equal(unquoteWord("$'\\162\\u006d'"), 'rm');
  assert.equal(
    unquoteWord('"a\\b\\"c"'),
    'a\\b"c',
    'in double quotes a backslash escapes only a few characters',
  );
  assert.equal(unquoteWord('$X'), '$X', 'expansions are left as written');
  assert.equal(unquoteWord("'unclosed"), 'unclosed');
});

// bash is the reference: a line whose commands are all unknown to it (PATH points nowhere) makes it
// call command_not_found_handle with each command's name after quote removal, in the order it runs
// them. Every such name must be among the names Vigil reads from the line.
const bashMissing = spawnSync('bash', ['-c', 'true']).status === 0 ? false : 'bash is absent';

const quotedName = (name: string) =>
  fc
    .array(
      fc.constantFrom('plain', 'backslash', 'empty-quotes', 'double', 'single', 'ansi-hex', 'ansi-octal'),
      {
        minLength: name.length,
        maxLength: name.length,
      },
    )
    .map((ways) =>
      [...name]
        .map((ch, i) => {
          switch (ways[i]) {
            case 'backslash':
              return `\\${ch}`;
            case 'empty-quotes':
              return `${ch}''`;
            case 'double':
              return `"${ch}"`;
            case 'single':
              return `'${ch}'`;
            case 'ansi-hex':
              return `$'\\x${ch.charCodeAt(0).toString(16)}'`;
            case 'ansi-octal':
              return `$'\\${ch.charCodeAt(0).toString(8)}'`;
            default:
              return ch;
          }
        })
        .join(''),
    );

const prefix = fc.constantFrom(
  '',
  'X=1 ',
  'a[0]=1 ',
  'a+=1 ',
  '>/dev/null ',
  '2>&1 ',
  '2> /dev/null ',
  '&>/dev/null ',
  '! ',
);
const simple = fc
  .tuple(
    prefix,
    fc.constantFrom('shred', 'reboot', 'zzkill'),
    // A redirection joined to the name ends it as a blank would (`shred</dev/null -u x`).
    fc.constantFrom(
      '',
      ' -u x',
      ' 2>&1',
      ' >&2',
      '</dev/null -u x',
      '>/dev/null',
      '&>/dev/null',
      '2>/dev/null x',
    ),
  )
  .chain(([p, name, args]) => quotedName(name).map((q) => `${p}${q}${args}`));
const line = fc
  .tuple(
    simple,
    simple,
    fc.constantFrom(
      (a: string, b: string) => `${a}; ${b}`,
      (a: string, b: string) => `${a} && ${b}`,
      (a: string, b: string) => `${a} |& ${b}`,
      (a: string, b: string) => `if ${a}; then ${b}; fi`,
      (a: string, b: string) => `if false; then :; else ${a}; fi; ${b}`,
      (a: string, b: string) => `for i in 1; do ${a}; done; ${b}`,
      (a: string, b: string) => `while ${a}; do :; done; { ${b}; }`,
      (a: string, b: string) => `until ${a}; do break; done; (${b})`,
      (a: string, b: string) => `${a} & ${b}`,
      (a: string, b: string) => `echo $(${a}) \`${b}\``,
    ),
  )
  .map(([a, b, join]) => join(a, b));

test('every command bash would run is among the names Vigil reads from the line', {
  skip: bashMissing,
}, () => {
  fc.assert(
    fc.property(line, (text) => {
      const r = spawnSync(
        'bash',
        [
          '--norc',
          '--noprofile',
          '-c',
          `command_not_found_handle() { printf '%s\\n' "$1" >&3; }\nPATH=/nonexistent\n${text}\nwait`,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'ignore', 'ignore', 'pipe'], timeout: 5000 },
      );
      const ran = (r.output[3] ?? '').split('\n').filter((n) => n !== '');
      const seen = commandNames(text);
      for (const name of ran)
        assert.ok(seen.includes(name), `${JSON.stringify(text)}: bash ran ${name}, Vigil saw ${seen}`);
    }),
    // Each run starts a bash: enough runs to cover the forms, few enough for a shared machine.
    { numRuns: 60 },
  );
});

test('a simple command splits into its words, quotes kept; anything more is null', () => {
  assert.deepEqual(simpleCommandWords(`scp -t '/srv/a b' "c d" e\\ f $'g h'`), [
    'scp',
    '-t',
    "'/srv/a b'",
    '"c d"',
    'e\\ f',
    "$'g h'",
  ]);
  for (const text of [
    'scp -t /srv; rm -rf /',
    'scp -t /srv | cat',
    'a > b',
    'a `b`',
    'a $(b)',
    "a 'open",
    'a\nb',
  ])
    assert.equal(simpleCommandWords(text), null, text);
});

test('property: words joined by spaces split back into the same words', () => {
  const word = fc.oneof(
    fc.stringMatching(/^[a-z0-9/._-]{1,8}$/),
    fc.stringMatching(/^[a-z ]{0,6}$/).map((s) => `'${s}'`),
    fc.stringMatching(/^[a-z ;|]{0,6}$/).map((s) => `"${s}"`),
  );
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
      assert.deepEqual(simpleCommandWords(words.join(' ')), words);
    }),
  );
  fc.assert(fc.property(fc.string(), (text) => void simpleCommandWords(text)));
});

test('a word is cut where an unquoted redirection starts; a descriptor stays with its operator', () => {
  assert.deepEqual(splitRedirections('rm</dev/null'), ['rm', '</dev/null']);
  assert.deepEqual(splitRedirections('bash<&0'), ['bash', '<&0']);
  assert.deepEqual(splitRedirections('rm&>/dev/null'), ['rm', '&>/dev/null']);
  assert.deepEqual(splitRedirections('a>b<c'), ['a', '>b', '<c']);
  assert.deepEqual(splitRedirections('x>>log'), ['x', '>>log']);
  assert.deepEqual(splitRedirections('2>&1'), ['2>&1']);
  assert.deepEqual(splitRedirections('{fd}>f'), ['{fd}>f']);
  assert.deepEqual(splitRedirections('rm2>f'), ['rm2', '>f']);
  assert.deepEqual(splitRedirections('"a<b"'), ['"a<b"']);
  assert.deepEqual(splitRedirections("'a>b'c"), ["'a>b'c"]);
  assert.deepEqual(splitRedirections('a\\<b'), ['a\\<b'], 'an escaped < is text');
  assert.deepEqual(splitRedirections('a\\\\<b'), ['a\\\\', '<b'], 'an escaped backslash is not');
  assert.deepEqual(splitRedirections('<in'), ['<in']);
});

test('property: the pieces of a word join back into it, and only the first may lack an operator', () => {
  const piece = fc.oneof(
    fc.stringMatching(/^[a-z0-9/._-]{1,6}$/),
    fc.constantFrom('<', '>', '>>', '&>', '<&0', '2>&1', '"a<b"', "'c>d'", '\\<'),
  );
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), (parts) => {
      const word = parts.join('');
      const pieces = splitRedirections(word);
      assert.equal(pieces.join(''), word);
      for (const p of pieces.slice(1)) assert.match(p, /^(?:[<>]|&>)/, `${word}: ${pieces}`);
    }),
  );
  fc.assert(fc.property(fc.string(), (text) => assert.equal(splitRedirections(text).join(''), text)));
});
