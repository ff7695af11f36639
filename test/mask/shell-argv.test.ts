// A command given as an array of words (src/mask/shell-argv.ts): an MCP tool's `argv`, a container's
// `command`/`args`, a model's tool input. Read as one command, each secret the shell readers find is
// masked over its element; the same array written as JSON text (a model's `function.arguments`) is
// masked over the raw characters, escapes included, and stays valid JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../src/core/events.js';
import { createMasker } from '../../src/mask/index.js';

const masker = createMasker({ fingerprintKey: 'shell-argv-test-key-0123456789abcd' });
const mask = (payload: unknown) => masker.maskPayload(payload as JsonObject, '') as Record<string, unknown>;
const MASK = /\[MASKED:[a-z-]+:([0-9a-f]{6})\]/g;
/** Where replacements are, without rule ids and fingerprints. */
const shape = (v: unknown) => JSON.stringify(v).replace(MASK, '#');
/** The fingerprint the masker gives a value, taken from a secret-named field. */
const fingerprint = (secret: string) => {
  const masked = String(mask({ password: secret }).password);
  return /:([0-9a-f]{6})\]$/.exec(masked)?.[1];
};
/** Every character above ASCII, and the quote and `<`, as \u escapes (Python, HTML-safe encoders). */
const escaped = (json: string) =>
  json.replace(/[\u007f-\uffff<]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

test("an argv array's secrets are masked over their elements", () => {
  const cases: [unknown, unknown][] = [
    [
      { name: 'run', arguments: { argv: ['mysql', '-uroot', '-pS3cr3t words', '-e', 'select 1'] } },
      { name: 'run', arguments: { argv: ['mysql', '-uroot', '-p#', '-e', 'select 1'] } },
    ],
    [
      { command: ['psql', 'postgresql://app:summer dance@db/app'] },
      { command: ['psql', 'postgresql://app:#@db/app'] },
    ],
    [{ args: ['--password', 'hunter2 words'] }, { args: ['--password', '#'] }],
    [{ exec: ['env', 'API_TOKEN=red fox', 'deploy'] }, { exec: ['env', 'API_TOKEN=#', 'deploy'] }],
    [
      { argv: ['curl', '-u', 'ann:tall grass', '-H', 'X-Api-Key: blue moon', 'https://api.example'] },
      { argv: ['curl', '-u', 'ann:#', '-H', 'X-Api-Key: #', 'https://api.example'] },
    ],
    // The line after a shell's -c is a command line: only the assignment's first word is its value.
    [
      { command: ['sh', '-c', 'PGPASSWORD=amber psql -h db $(touch /tmp/x)'] },
      { command: ['sh', '-c', 'PGPASSWORD=# psql -h db $(touch /tmp/x)'] },
    ],
    [
      { argv: ['/bin/bash', '-lc', 'mysql -uroot -pamber-tide -e "select 1"'] },
      { argv: ['/bin/bash', '-lc', 'mysql -uroot -p# -e "select 1"'] },
    ],
    // Kubernetes' command and args, Docker's Entrypoint and Cmd: one command.
    [
      { containers: [{ command: ['mysql'], args: ['-uroot', '-pS3cr3t words'] }] },
      { containers: [{ command: ['mysql'], args: ['-uroot', '-p#'] }] },
    ],
    [
      { Entrypoint: ['mysql'], Cmd: ['-pS3cr3t words'] },
      { Entrypoint: ['mysql'], Cmd: ['-p#'] },
    ],
  ];
  for (const [payload, expected] of cases) {
    assert.equal(shape(mask(payload)), JSON.stringify(expected));
    // As a model's tool arguments (JSON text), except the siblings (read in objects only).
    if (JSON.stringify(payload).includes('Entrypoint') || JSON.stringify(payload).includes('containers'))
      continue;
    const text = mask({ arguments: JSON.stringify(payload) }).arguments as string;
    assert.equal(shape(JSON.parse(text)), JSON.stringify(expected), text);
  }
});

test('an array of ordinary words, and a list of command lines, are read as before', () => {
  const plain = [
    { command: ['ls', '-la', '/var/log'] },
    { argv: ['git', 'commit', '-m', 'fix the password prompt; rotate token docs', '--author', 'Ann <ann>'] },
    { args: ['--max-tokens', '512', '--token-count', '--pass-through', 'a b'] },
    { argv: ['docker', 'run', '-p', '8080:80', 'nginx'] },
    { command: ['mkdir', '-p', 'my secret dir'] },
  ];
  for (const payload of plain) assert.deepEqual(mask(payload), payload);
  // A list of command lines under a shell key: each element still read as a line.
  const lines = mask({ command: ['mysql -uroot -pamber-tide-x', 'ls'] });
  assert.match(
    String((lines.command as string[])[0]),
    /^mysql -uroot -p\[MASKED:shell-secret:[0-9a-f]{6}\]$/,
  );
});

const word = fc.stringMatching(/^[a-z]{3,8}$/);
/** A password of words with the characters that need quoting when the words are joined. */
const password = fc
  .tuple(
    fc.array(word, { minLength: 2, maxLength: 3 }),
    fc.constantFrom(' ', "'", '"', ';', '\n', '|', '$', 'é', '😀'),
  )
  .map(([w, sep]) => w.join(sep));
const forms = [
  (pw: string) => ['mysql', '-uroot', `-p${pw}`, '-e', 'select 1'],
  (pw: string) => ['tool', '--password', pw, 'next'],
  (pw: string) => ['tool', `--api-token=${pw}`],
  (pw: string) => ['env', `API_TOKEN=${pw}`, 'deploy'],
  (pw: string) => ['curl', '-u', `ann:${pw}`, 'https://api.example'],
];

test('property: the secret element is masked, with the value fingerprint in an object, at the same characters in JSON text', () => {
  fc.assert(
    fc.property(password, fc.nat(forms.length - 1), fc.boolean(), (pw, f, escapeAll) => {
      const argv = forms[f]!(pw);
      const masked = mask({ argv }).argv as string[];
      const text = JSON.stringify({ argv });
      for (const m of masked) assert.ok(!m.includes(pw), m);
      const hex = [...masked.join(' ').matchAll(MASK)].map((m) => m[1]);
      assert.deepEqual(hex, [fingerprint(pw)], masked.join(' | '));
      const json = String(mask({ arguments: escapeAll ? escaped(text) : text }).arguments);
      const read = JSON.parse(json) as { argv: string[] };
      // The same elements masked; the fingerprint is of the characters as written (escapes included).
      assert.equal(shape(read.argv), shape(masked));
    }),
  );
});

test('property: arrays of ordinary words are left as they are', () => {
  const ordinary = fc.array(
    fc
      .stringMatching(/^[a-z][a-z0-9./_ -]{0,12}$/)
      .filter((w) => !/pass|secret|token|key|auth|pwd|pin/.test(w)),
    { maxLength: 8 },
  );
  fc.assert(
    fc.property(
      fc.constantFrom('argv', 'args', 'command', 'cmd', 'exec', 'entrypoint'),
      ordinary,
      (key, words) => {
        const payload = { [key]: words };
        assert.deepEqual(mask(payload), payload);
        const text = JSON.stringify(payload);
        assert.equal(mask({ arguments: text }).arguments, text);
      },
    ),
  );
});
