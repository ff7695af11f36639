// A shell reading the channel's input runs each line as a command, so Vigil judges that input line
// by line (stdin-commands.ts). Until 7 December it knew a shell only by the names sh, bash, dash,
// zsh, ksh, mksh, ash, posh and yash, as the program or behind a wrapper that runs a command: bash
// under another name (`rbash`, installed with bash on Debian), other shells (`tcsh`, `fish`), a
// program that starts the user's shell when given no command (`unshare`, `chroot /`, `newgrp`,
// `script`), and a shell started by a program Vigil does not read (`docker exec -i web sh`) got
// their input as data: every line ran unjudged. Each variant pipes in a line a deny rule forbids.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_FORBIDDEN_MARKER, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({ policy: { rules: [NO_FORBIDDEN_MARKER] } });

test('bash as rbash, and programs that start a shell on the input, have each piped line judged', {
  skip: missing ?? false,
}, async () => {
  const variants = [
    'rbash',
    '/usr/bin/rbash -s',
    'unshare',
    'chroot /',
    'newgrp',
    // A program Vigil does not read, running the shell among its words (as `docker exec -i web sh`).
    'prlimit --nofile=1024 /usr/bin/bash',
    'env -i bash',
  ];
  const ran: string[] = [];
  const unrefused: string[] = [];
  for (const [n, command] of variants.entries()) {
    const marker = join(f().work, `forbidden-marker-starter-${n}`);
    const run = await f().ssh(
      'alice',
      ['alice@127.0.0.1', command],
      `echo via-${n}\ntouch ${marker}\nsleep 1\n`,
    );
    if (existsSync(marker)) ran.push(command);
    if (!/denied by rule no-forbidden/.test(run.stderr) || run.code !== 126) unrefused.push(command);
  }
  assert.deepEqual(ran, [], 'the denied line ran');
  assert.deepEqual(unrefused, [], 'the denied line was not refused');
});
