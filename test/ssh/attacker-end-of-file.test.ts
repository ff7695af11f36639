// ^D, the terminal's end-of-file key, through tmux and the real OpenSSH client. To a program that
// reads the terminal without a line editor (dash, which Debian runs as `sh`), ^D on a line that is
// not empty hands it the line with no Enter, and a second ^D ends its input: dash runs the line.
// Until 7 December the guard held only Enter (^M, ^J, ^O), so `touch forbidden-marker` ^D ^D made
// the marker a deny rule forbids, and no ssh.command recorded it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sshdMissing } from '../support/openssh-server.js';
import { NO_FORBIDDEN_MARKER, type SshFixture, startSshFixture, until } from './ssh-fixture.js';
import { openTmuxShell, type TmuxTerminal, tmuxMissing } from './tmux-terminal.js';

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

/** dash, started from the login shell, with the prompt `ds$ ` (on a line of its own). */
async function openDash(name: string): Promise<TmuxTerminal> {
  const t = await openTmuxShell(f, `vigil-eof-${name}`);
  await t.line("PS1='ds$ ' sh");
  await t.shows(/^ds\$ ?$/m);
  return t;
}

/**
 * Types `steps` in a dash of its own, then hangs up: `marker` must exist neither once the steps end
 * nor after the terminal closed (dash would run a line it holds at the end of its input).
 */
async function inDash(
  name: string,
  marker: string,
  steps: (t: TmuxTerminal) => Promise<void>,
): Promise<void> {
  const t = await openDash(name);
  try {
    await steps(t);
    await t.keys('C-d');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(existsSync(marker), false, 'the line handed over by ^D ran');
  } catch (err) {
    console.log(await t.pane());
    throw err;
  } finally {
    await t.close();
  }
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(existsSync(marker), false, 'the line ran when the terminal hung up');
}

async function commands(): Promise<unknown[]> {
  const [events] = (await f.sessions({ identity: 'alice' })).slice(-1);
  return events!.filter((e) => e.type === 'ssh.command').map((e) => e.payload);
}

test('^D ^D on a typed line (dash runs it with no Enter) is held and judged: a denied line never runs', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f.work, 'forbidden-marker-eof');
  await inDash('denied', marker, async (t) => {
    await t.text(`touch ${marker}`);
    await t.keys('C-d');
    await t.shows(DENIED);
  });
  const refused = (await commands()).find((c) => JSON.stringify(c).includes('forbidden-marker-eof'));
  assert.deepEqual(
    { command: (refused as { command?: string })?.command, key: (refused as { key?: string })?.key },
    { command: `touch ${marker}`, key: 'end-of-file' },
  );
});

test('a line handed over by ^D is judged with the keys typed after it, as dash reads them', {
  skip: missing ?? false,
}, async () => {
  const allowed = join(f.work, 'split-by-eof-file');
  const marker = join(f.work, 'forbidden-marker-split');
  const cut = marker.indexOf('forbidden-') + 'forbidden-'.length;
  await inDash('split', marker, async (t) => {
    // Allowed in two parts: the first alone at ^D, then the whole at Enter (what dash runs).
    await t.text(`touch ${allowed.slice(0, -4)}`);
    await t.keys('C-d');
    await t.text(allowed.slice(-4));
    await t.keys('Enter');
    await until('the split line to run', async () => existsSync(allowed));
    await t.shows(/^ds\$ ?$/m);
    // Denied only whole: `touch …/forbidden-` passes at ^D, `marker` then makes the name.
    await t.text(`touch ${marker.slice(0, cut)}`);
    await t.keys('C-d');
    await t.text(marker.slice(cut));
    await t.keys('Enter');
    await t.shows(DENIED);
  });
  const texts = (await commands()).map((c) => (c as { command: string }).command);
  assert.ok(texts.includes(`touch ${allowed.slice(0, -4)}`), 'the handed part is recorded at ^D');
  assert.ok(texts.includes(`touch ${allowed}`), 'the whole line is recorded at Enter');
  assert.ok(texts.includes(`touch ${marker}`), 'the refused whole line is recorded');
});
