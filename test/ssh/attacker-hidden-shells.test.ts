// Two ways past the SSH command guard, through a real OpenSSH server.
//
// A shell reading the channel's input runs each line as a command, so Vigil judges that input line
// by line (stdin-commands.ts). Until 7 December a shell started through a redirection joined to its
// name (`bash</dev/stdin`), a command string (`sh -c bash`, `bash -c "$(cat)"`), `env -S`, `xargs
// sh -c`, or a builtin that runs the input as a script (`. /dev/stdin`, `eval "$(cat)"`, `read l;
// eval "$l"`), or a program that starts one when given no command (`fakeroot`, `capsh --`,
// `pkexec`), or a shell reading the input as its startup file (`BASH_ENV=/dev/stdin bash -c true`,
// `bash --rcfile /dev/stdin -ic true`) got its input as data: every piped line ran unjudged.
//
// And a word was split at blanks only, so `shred</dev/null -u FILE` read as a program named `null`:
// a rule on `tools: [shred]` never saw the shred, as a command or as a line typed to a shell.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_FORBIDDEN_MARKER, sshFixtureForFile } from './ssh-fixture.js';

const NO_SHRED = {
  name: 'no-shred',
  match: { events: ['ssh.exec', 'ssh.command'], tools: ['shred'] },
  action: 'deny',
  reason: 'shred is not allowed',
};
const { missing, f } = sshFixtureForFile({ policy: { rules: [NO_FORBIDDEN_MARKER, NO_SHRED] } });

test('a shell started through a joined redirection, a command string or eval has each piped line judged', {
  skip: missing ?? false,
}, async () => {
  const variants = [
    'bash</dev/stdin',
    'bash<&0',
    'sh -c bash',
    "sh -c 'exec bash'",
    'bash -c "$(cat)"',
    'env -S bash',
    'xargs -I{} sh -c {}',
    '. /dev/stdin',
    'eval "$(cat)"',
    'while read -r l; do eval "$l"; done',
    // Programs that start a shell when given no command (fakeroot) or by `--` (capsh).
    'fakeroot',
    'capsh --',
    // A shell whose startup file is the input, though its command is given (`-c`).
    'BASH_ENV=/dev/stdin bash -c true',
    'printf -v BASH_ENV %s /dev/stdin; export BASH_ENV; bash -c true',
    'bash --rcfile /dev/stdin -ic true',
  ];
  const ran: string[] = [];
  const unrefused: string[] = [];
  for (const [n, command] of variants.entries()) {
    const marker = join(f().work, `forbidden-marker-hidden-${n}`);
    const run = await f().ssh('alice', ['alice@127.0.0.1', command], `echo via-${n}\ntouch ${marker}\n`);
    if (existsSync(marker)) ran.push(command);
    if (!/denied by rule no-forbidden/.test(run.stderr) || run.code !== 126) unrefused.push(command);
  }
  assert.deepEqual(ran, [], 'the denied line ran');
  assert.deepEqual(unrefused, [], 'the denied line was not refused');
});

test('a program name with a redirection joined to it is the name a tools rule sees', {
  skip: missing ?? false,
}, async () => {
  const asCommand = join(f().work, 'shred-command');
  const asLine = join(f().work, 'shred-line');
  writeFileSync(asCommand, 'keep');
  writeFileSync(asLine, 'keep');
  const exec = await f().ssh('alice', ['alice@127.0.0.1', `shred</dev/null -u ${asCommand}`]);
  const piped = await f().ssh('alice', ['alice@127.0.0.1', 'bash'], `shred>/dev/null -u ${asLine}\n`);
  assert.ok(existsSync(asCommand), 'the denied command ran');
  assert.ok(existsSync(asLine), 'the denied line ran');
  assert.match(exec.stderr, /denied by rule no-shred/);
  assert.equal(exec.code, 126);
  assert.match(piped.stderr, /denied by rule no-shred/);
});
