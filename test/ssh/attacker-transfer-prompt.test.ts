// scp's server side started by a line typed at a prompt reads the next typed lines as its stream:
// each was judged as a command line, never as the file it writes, so a rule on `upload …protected`
// did not hold (until 6 December). Typed through tmux into the real OpenSSH client; the file must
// never appear.
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
  f = await startSshFixture({
    policy: {
      rules: [
        NO_FORBIDDEN_MARKER,
        {
          name: 'no-protected-uploads',
          match: { events: ['ssh.file'], pattern: '^upload .*protected' },
          action: 'deny',
        },
      ],
    },
  });
});
after(async () => {
  if (!missing) await f.close();
});

test('scp -t typed at a prompt is refused: the lines typed after it would be its file stream', {
  skip: missing ?? false,
}, async () => {
  const target = join(f.work, 'protected-typed');
  const t = await openTmuxShell(f, 'vigil-transfer-prompt');
  try {
    await t.line(`env scp -t ${f.work}`);
    await until('the line to be refused or scp to start', async () => {
      const pane = await t.pane();
      return pane.includes('statement_uncertain') || /\x00|^\s*$/m.test(pane.split('scp -t').at(-1) ?? '');
    });
    await new Promise((r) => setTimeout(r, 1000));
    await t.line('C0644 6 protected-typed');
    await t.line('hello');
    // Refused, bash runs the typed lines as commands; read as scp's stream, the file appears.
    await until(
      'the typed lines to run or be written',
      async () => existsSync(target) || (await t.pane()).includes('hello: command not found'),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(existsSync(target), false, 'scp wrote the file from typed lines judged as commands');
    assert.match(await t.pane(), /statement_uncertain/);
  } catch (err) {
    console.log(await t.pane());
    throw err;
  } finally {
    await t.close();
  }
});
