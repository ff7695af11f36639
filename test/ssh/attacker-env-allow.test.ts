// Environment requests pass only by name from an allow list (the locale's, TZ, COLORTERM,
// NO_COLOR, GIT_PROTOCOL and the connection's `env_allow`). Until 7 December every name not on a
// deny list passed with the start: IFS, GLIBC_TUNABLES, OPENSSL_CONF (a config that loads a
// shared object), HISTFILE (bash writes its history there), npm's `npm_config_script_shell`,
// TMPDIR and the like change what a recorded command does on a host whose AcceptEnv takes them.
// Now a start asking for any other name is refused and recorded with the names it asked for.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({ connection: { env_allow: ['VIGIL_TEST_OK'] } });

test('a start asking for a variable off the allow list is refused and recorded', {
  skip: missing ?? false,
}, async () => {
  const ran: string[] = [];
  for (const [n, variable] of [
    'IFS=/',
    'GLIBC_TUNABLES=glibc.malloc.mxfast=0',
    'OPENSSL_CONF=/tmp/evil.cnf',
    'HISTFILE=/etc/x',
    'npm_config_script_shell=/tmp/evil',
    'VIGIL_TEST_OTHER=x',
  ].entries()) {
    const marker = join(f().work, `env-allow-${n}`);
    const run = await f().ssh('alice', ['-o', `SetEnv=${variable}`, 'alice@127.0.0.1', `touch ${marker}`]);
    if (existsSync(marker)) ran.push(variable);
    assert.equal(run.code, 126, `${variable}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, variable);
  }
  assert.deepEqual(ran, [], 'the command ran with the variable');
  const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
  const exec = events!.find((e) => e.type === 'ssh.exec');
  assert.ok(Object.keys(exec?.payload?.env as object).includes('VIGIL_TEST_OTHER'));
  // The locale's and the connection's own names pass.
  const ok = await f().ssh('alice', [
    '-o',
    'SetEnv=LC_TEST=x VIGIL_TEST_OK=y',
    'alice@127.0.0.1',
    'echo "$LC_TEST$VIGIL_TEST_OK"',
  ]);
  assert.equal(ok.stdout.trim(), 'xy', ok.stderr);
});
