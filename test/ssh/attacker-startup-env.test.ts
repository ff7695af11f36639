// An environment request that makes a program on the host run code the command does not show
// (zsh's ZDOTDIR, as bash's BASH_ENV; readline's INPUTRC; glibc's GCONV_PATH; an interpreter's
// startup options) refuses the start it comes with: the host's AcceptEnv, not Vigil, would decide
// whether it takes effect. Until 7 December only bash's variables and LD_* were refused, and a
// command sent with `SetEnv ZDOTDIR=…` ran, on a host accepting it with that startup file read.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile();

test('a start that asks for a startup variable of zsh, readline, glibc or an interpreter is refused', {
  skip: missing ?? false,
}, async () => {
  const ran: string[] = [];
  for (const [n, variable] of [
    'ZDOTDIR=/tmp/x',
    'INPUTRC=/tmp/x',
    'GCONV_PATH=/tmp/x',
    'PERL5OPT=-Mbase;system("id")',
    'NODE_OPTIONS=--require=/tmp/x.js',
  ].entries()) {
    const marker = join(f().work, `startup-env-${n}`);
    const run = await f().ssh('alice', ['-o', `SetEnv=${variable}`, 'alice@127.0.0.1', `touch ${marker}`]);
    if (existsSync(marker)) ran.push(variable);
    assert.equal(run.code, 126, `${variable}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, variable);
  }
  assert.deepEqual(ran, [], 'the command ran with the variable');
});
