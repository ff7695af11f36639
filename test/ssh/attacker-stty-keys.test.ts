// The host's terminal settings decide what some keys do to a line, and `stty` changes them: after
// `stty erase %`, bash's readline takes % as a backspace (it binds the terminal's erase, kill,
// werase and lnext characters to its own commands), so the keys `touch forbidden-Z%marker` make a
// line that names forbidden-marker. Until 7 December the guard judged the line its keys spell, and
// the marker a deny rule forbids was made. Now a line the host draws otherwise than its keys spell
// is read from the screen, and judged as both. Through tmux and the real OpenSSH client.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sshdMissing } from '../support/openssh-server.js';
import { NO_FORBIDDEN_MARKER, type SshFixture, startSshFixture, until } from './ssh-fixture.js';
import { openTmuxShell, tmuxMissing } from './tmux-terminal.js';

const missing = sshdMissing() ?? tmuxMissing();
let f: SshFixture;

before(async () => {
  if (missing) return;
  f = await startSshFixture({ policy: { rules: [NO_FORBIDDEN_MARKER] } });
});
after(async () => {
  if (!missing) await f.close();
});

const DENIED = 'vigil: policy_denied: denied by rule no-forbidden';

// Keys a temporary directory's name cannot hold (mkdtemp: letters and digits), or the path typed
// before them would be edited too.
for (const [setting, keys] of [
  // % erases the Z before it.
  ['erase %', (head: string, tail: string) => `${head}Z%${tail}`],
  // @ quotes the key after it, and is no part of the line itself.
  ['lnext @', (head: string, tail: string) => `${head}@${tail}`],
] as const) {
  test(`after stty ${setting}, a line the keys spell harmless but the shell holds denied is refused`, {
    skip: missing ?? false,
  }, async () => {
    const name = setting.split(' ')[0]!;
    const marker = join(f.work, `forbidden-marker-stty-${name}`);
    const cut = marker.indexOf('forbidden-') + 'forbidden-'.length;
    const t = await openTmuxShell(f, `vigil-stty-${name}`);
    try {
      await t.line(`stty ${setting}`);
      await t.shows(/^vt\$ ?$/m);
      await t.text(keys(`touch ${marker.slice(0, cut)}`, marker.slice(cut)));
      await t.keys('Enter');
      await until(
        'the line to run or be refused',
        async () => existsSync(marker) || (await t.pane()).includes(DENIED),
      );
      assert.equal(existsSync(marker), false, `stty ${setting}: the line the shell held ran`);
    } catch (err) {
      console.log(await t.pane());
      throw err;
    } finally {
      await t.close();
    }
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(existsSync(marker), false, 'the line ran when the terminal hung up');
    const [events] = (await f.sessions({ identity: 'alice' })).slice(-1);
    const refused = events!.find(
      (e) => e.type === 'ssh.command' && String(e.payload?.command).includes('forbidden-marker'),
    );
    assert.equal(refused?.payload?.command, `touch ${marker}`);
    assert.equal(refused?.payload?.source, 'screen');
  });
}

test('a line drawn as its keys spell is still read from its keys, a line typed ahead of its prompt too', {
  skip: missing ?? false,
}, async () => {
  const t = await openTmuxShell(f, 'vigil-stty-plain');
  try {
    // The second line is typed while the first still runs: its prompt is drawn before it.
    await t.text('sleep 1; echo first-done');
    await t.keys('Enter');
    await t.text('echo typed-ahead');
    await t.keys('Enter');
    await t.shows(/^typed-ahead$/m);
  } finally {
    await t.close();
  }
  const [events] = (await f.sessions({ identity: 'alice' })).slice(-1);
  const lines = events!
    .filter((e) => e.type === 'ssh.command')
    .map((e) => [e.payload?.command, e.payload?.source]);
  assert.deepEqual(lines.slice(-2), [
    ['sleep 1; echo first-done', 'keystrokes'],
    ['echo typed-ahead', 'keystrokes'],
  ]);
});
