// Piped input to a program that may read it as a program, through a real OpenSSH server. Vigil
// judges the lines a shell reads from the channel's input, but a shell under another name (`cp
// /bin/bash X; X`, `ln -s /bin/sh S; S`) or an interpreter reading its program from the input
// (`python3`, `perl`, `awk -f -`, `ed`, `sed e`, `tclsh`, `node`, `vim -s`) ran it unjudged: until
// 7 December, `touch forbidden-marker` piped to any of them made the marker a rule forbids. Now
// such input is refused at its first byte; input to a program that reads data only (`cat > f`)
// passes as data, even when it holds the forbidden words.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_FORBIDDEN_MARKER, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({ policy: { rules: [NO_FORBIDDEN_MARKER] } });

test('a shell copied or linked under another name gets no piped input', {
  skip: missing ?? false,
}, async () => {
  const w = f().work;
  const variants = [
    `cp /bin/bash ${w}/x; ${w}/x`,
    `ln -sf /bin/sh ${w}/s; ${w}/s`,
    `cp /bin/bash ${w}/cat; ${w}/cat`,
  ];
  const ran: string[] = [];
  for (const [n, command] of variants.entries()) {
    const marker = join(w, `forbidden-marker-renamed-${n}`);
    const run = await f().ssh('alice', ['alice@127.0.0.1', command], `touch ${marker}\n`);
    if (existsSync(marker)) ran.push(command);
    assert.match(run.stderr, /statement_uncertain|may be read as a program/, `${command}: ${run.stderr}`);
    assert.equal(run.code, 126, command);
  }
  assert.deepEqual(ran, [], 'the piped line ran unjudged');
});

test('an interpreter reading its program from the input gets no piped input', {
  skip: missing ?? false,
}, async () => {
  const w = f().work;
  const m = (n: number) => join(w, `forbidden-marker-interp-${n}`);
  const variants: [string, (marker: string) => string][] = [
    ['/usr/bin/python3', (x) => `import os\nos.system("touch ${x}")\n`],
    ['perl', (x) => `system("touch ${x}");\n`],
    ['awk -f -', (x) => `BEGIN { system("touch ${x}") }\n`],
    ['ed', (x) => `!touch ${x}\nq\n`],
    ['sed e', (x) => `touch ${x}\n`],
    ['tclsh', (x) => `exec touch ${x}\n`],
    ['node', (x) => `require("child_process").execSync("touch ${x}")\n`],
    ['vim -es', (x) => `:!touch ${x}\n:q!\n`],
  ];
  const ran: string[] = [];
  for (const [n, [command, program]] of variants.entries()) {
    const run = await f().ssh('alice', ['alice@127.0.0.1', command], program(m(n)));
    if (existsSync(m(n))) ran.push(command);
    assert.match(run.stderr, /may be read as a program/, `${command}: ${run.stderr}`);
  }
  assert.deepEqual(ran, [], 'the piped program ran unjudged');
});

test('input to a program that reads data passes as data, forbidden words and all', {
  skip: missing ?? false,
}, async () => {
  const w = f().work;
  const out = join(w, 'data.txt');
  const run = await f().ssh('alice', ['alice@127.0.0.1', `cat > ${out}`], 'touch forbidden-marker\n');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(out, 'utf8'), 'touch forbidden-marker\n');
  const sum = await f().ssh('alice', ['alice@127.0.0.1', '/usr/bin/sha256sum'], 'abc');
  assert.match(sum.stdout, /^ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/);
  // A program with no input at all runs whatever it is.
  const none = await f().ssh('alice', ['-n', 'alice@127.0.0.1', '/usr/bin/python3 -c "print(6*7)"']);
  assert.equal(none.stdout.trim(), '42', none.stderr);
});
