// An environment request that changes which program a name runs or where a program reads its
// startup code: PATH (`ls` found in the client's directory first), HOME (bash, started by sshd for
// every command, sources `~/.bashrc` from it), SHELL (what `script`, editors and pagers start) and
// the editors' and pagers' startup commands (`VIMINIT=:!cmd`, `LESSOPEN=|cmd`, `GIT_PAGER`,
// `PAGER`, `EDITOR`), Java's, Lua's and git's options, and XDG_CONFIG_HOME (git's config, which
// names a pager or hooks). Until 7 December these passed with the start (judged only by the text
// `K=V command`, which says nothing of what the host then runs): a host whose AcceptEnv lets one
// through ran code no rule judged. Now a start asking for one is refused, as BASH_ENV is.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile();

test('a start that asks for PATH, HOME, SHELL or a startup command of an editor, pager or runtime is refused', {
  skip: missing ?? false,
}, async () => {
  const ran: string[] = [];
  for (const [n, variable] of [
    'PATH=/tmp/evil:/usr/bin:/bin',
    'HOME=/tmp/evil',
    'SHELL=/tmp/evil/sh',
    'VIMINIT=:!id',
    'EXINIT=:!id',
    'LESSOPEN=|/tmp/evil/l',
    'PAGER=/tmp/evil/p',
    'GIT_PAGER=id',
    'GIT_SSH_COMMAND=id',
    'GIT_CONFIG_PARAMETERS=core.pager=id',
    'EDITOR=/tmp/evil/e',
    'JAVA_TOOL_OPTIONS=-javaagent:/tmp/evil.jar',
    'LUA_INIT=os.execute("id")',
    'XDG_CONFIG_HOME=/tmp/evil',
  ].entries()) {
    const marker = join(f().work, `env-path-${n}`);
    const run = await f().ssh('alice', ['-o', `SetEnv=${variable}`, 'alice@127.0.0.1', `touch ${marker}`]);
    if (existsSync(marker)) ran.push(variable);
    assert.equal(run.code, 126, `${variable}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, variable);
  }
  assert.deepEqual(ran, [], 'the command ran with the variable');
  // Other variables still pass, judged with the command.
  const ok = await f().ssh('alice', ['-o', 'SetEnv=LC_TEST=x', 'alice@127.0.0.1', 'echo "$LC_TEST"']);
  assert.equal(ok.stdout.trim(), 'x', ok.stderr);
});
