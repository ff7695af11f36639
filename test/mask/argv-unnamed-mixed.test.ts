// Commands as arrays of words (src/mask/shell-argv.ts, src/mask/json-argv-fields.ts): an `args`
// array whose program is named nowhere but whose words say it is a MySQL client (`-uroot`); in a
// JSON text, the `command` or `Entrypoint` beside an `args` or `Cmd`, before or after it; and an
// array holding numbers, booleans, null or objects among its words. Ordinary arrays stay as sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../src/core/events.js';
import { createMasker } from '../../src/mask/index.js';

const masker = createMasker({ fingerprintKey: 'argv-unnamed-mixed-key-0123456789' });
const mask = (payload: unknown) => masker.maskPayload(payload as JsonObject, '') as Record<string, unknown>;
const MASK = /\[MASKED:[a-z-]+:[0-9a-f]{6}\]/g;
/** Where replacements are, without rule ids and fingerprints. */
const shape = (v: unknown) => JSON.stringify(v).replace(MASK, '#');
/** The payload as a model's tool arguments: a JSON text. */
const asText = (payload: unknown) => String(mask({ arguments: JSON.stringify(payload) }).arguments);

test('an args array with no program named beside it is read as a MySQL client when its words say so', () => {
  const cases: [unknown, string][] = [
    [{ args: ['-uroot', '-pS3cr3t words'] }, '{"args":["-uroot","-p#"]}'],
    [{ args: ['--user=app', '-hdb', '-pS3cr3t words', 'app'] }, '{"args":["--user=app","-hdb","-p#","app"]}'],
    [{ args: ['--host', 'db', '-P3306', '-pS3cr3t words'] }, '{"args":["--host","db","-P3306","-p#"]}'],
    [{ args: ['--password', 'hunter2 x'] }, '{"args":["--password","#"]}'],
  ];
  for (const [payload, expected] of cases) {
    assert.equal(shape(mask(payload)), expected);
    assert.equal(shape(JSON.parse(asText(payload))), expected);
  }
});

test('in a JSON text, the program named beside args or Cmd is read first, wherever it stands', () => {
  const cases: [unknown, string][] = [
    [{ command: 'mysql', args: ['-pS3cr3t words'] }, '{"command":"mysql","args":["-p#"]}'],
    [{ args: ['-pS3cr3t words'], command: ['mysql'] }, '{"args":["-p#"],"command":["mysql"]}'],
    [
      { Entrypoint: ['mariadb'], Cmd: ['-pS3cr3t words', '-e', 'select 1'] },
      '{"Entrypoint":["mariadb"],"Cmd":["-p#","-e","select 1"]}',
    ],
    [
      {
        spec: {
          containers: [{ name: 'db', args: ['-pS3cr3t words'], command: ['mysql'] }, { args: ['-pthread'] }],
        },
      },
      '{"spec":{"containers":[{"name":"db","args":["-p#"],"command":["mysql"]},{"args":["-pthread"]}]}}',
    ],
  ];
  for (const [payload, expected] of cases) assert.equal(shape(JSON.parse(asText(payload))), expected);
  // A text cut short (streamed arguments) is read as far as it goes.
  for (const cut of [
    '{"command":"mysql","args":["-pS3cr3t words"',
    '{"command":"mysql","args":["-hdb","-pS3cr3t words","-e"',
  ])
    assert.equal(
      String(mask({ arguments: cut }).arguments).replace(MASK, '#'),
      cut.replace('S3cr3t words', '#'),
    );
});

test('an array holding numbers, literals or objects among its words is read as a command in a JSON text', () => {
  const cases: [unknown, string][] = [
    [{ argv: ['mysql', 3306, '-pS3cr3t words'] }, '{"argv":["mysql",3306,"-p#"]}'],
    [
      { argv: ['mysql', true, null, { port: 3306 }, '-pS3cr3t words', 1.5] },
      '{"argv":["mysql",true,null,{"port":3306},"-p#",1.5]}',
    ],
  ];
  for (const [payload, expected] of cases) assert.equal(shape(JSON.parse(asText(payload))), expected);
});

test('an array holding numbers among its words is read as a command in a payload object', () => {
  assert.equal(shape(mask({ argv: ['mysql', 3306, '-pS3cr3t words'] })), '{"argv":["mysql",3306,"-p#"]}');
});

test('ordinary arrays stay as sent: no MySQL word, no program, or words that are no password', () => {
  const plain = [
    { args: ['-pthread', '-O2', '-o', 'out'] },
    { args: ['-p8080', '--verbose'] },
    { args: ['-u', '-p'] },
    { command: 'gcc', args: ['-pthread', '-uX'] },
    { argv: ['docker', 'run', '-p', '8080:80', 3, true, null, { a: 'b' }] },
    { Entrypoint: ['nginx'], Cmd: ['-p', '/etc/nginx'] },
  ];
  for (const payload of plain) {
    assert.deepEqual(mask(payload), payload);
    assert.equal(asText(payload), JSON.stringify(payload));
  }
});

test('property: arrays of ordinary words and scalars, as objects and as JSON text, are kept as sent', () => {
  const word = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9._/]{0,11}$/),
    fc.stringMatching(/^--?(?:verbose|output|name|port|depth|format|quiet|x|v|o|n)$/),
    fc.integer({ min: -5, max: 70000 }),
    fc.boolean(),
    fc.constant(null),
  );
  const key = fc.constantFrom('argv', 'args', 'cmd', 'Cmd', 'exec', 'entrypoint');
  fc.assert(
    fc.property(
      key,
      fc.array(word, { maxLength: 10 }),
      fc.option(fc.constantFrom('ls', 'git', 'kubectl')),
      (k, words, program) => {
        const payload: Record<string, unknown> = { [k]: words };
        if (program !== null) payload.command = program;
        assert.equal(asText(payload), JSON.stringify(payload));
        if (words.every((w) => typeof w === 'string')) assert.deepEqual(mask(payload), payload);
      },
    ),
  );
});
