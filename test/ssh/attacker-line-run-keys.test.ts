// Attacks on the interactive line guard with bash's default key bindings that change the line, or
// run it, in ways the guard misread (typed through tmux into the real OpenSSH client): ^] (search
// for the next key typed: that key never reaches the line), ^_ (undo: a killed line comes back),
// ESC 1 ESC # (insert-comment with an argument: the leading # goes and the line runs, with no
// Enter), and ^X e (replay a keyboard macro holding an Enter). Each tries to create a marker file
// a deny rule forbids; it must never appear.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sshdMissing } from '../support/openssh-server.js';
import { NO_FORBIDDEN_MARKER, type SshFixture, startSshFixture, until } from './ssh-fixture.js';
import { openTmuxShell, type TmuxTerminal, tmuxMissing } from './tmux-terminal.js';

const missing = sshdMissing() ?? tmuxMissing();
let f: SshFixture;
let sync = 0;

before(async () => {
  if (missing) return;
  f = await startSshFixture({ policy: { rules: [NO_FORBIDDEN_MARKER] } });
});
after(async () => {
  if (!missing) await f.close();
});

/** Runs `echo` and waits for its output: everything typed before it has been handled by the shell. */
async function settle(t: TmuxTerminal): Promise<void> {
  const word = `settled-${++sync}`;
  await t.line(`echo ${word}`);
  await t.shows(new RegExp(`(^|\\$ )${word}$`, 'm'));
}

const DENIED = 'vigil: policy_denied: denied by rule no-forbidden';

/**
 * Opens a terminal, runs the attack on `forbidden-marker-<name>`, waits for Vigil's refusal (the
 * screen shows `refusal`), settles, and checks after the terminal is gone that the marker never
 * appeared (a line left in the host's input runs when it hangs up).
 */
async function attack(
  name: string,
  refusal: string,
  run: (t: TmuxTerminal, marker: string) => Promise<void>,
): Promise<void> {
  const marker = join(f.work, `forbidden-marker-${name}`);
  const t = await openTmuxShell(f, `vigil-run-keys-${name}`);
  try {
    await run(t, marker);
    await until(
      'the line to run or be refused',
      async () => existsSync(marker) || (await t.pane()).includes(refusal),
    );
    assert.equal(existsSync(marker), false, `${name}: the denied line ran`);
    // A line refused for its key stays at the prompt (Enter would judge it): dropped here, and
    // the next keys wait for the new prompt (a ^C flushes what the terminal has not read yet).
    if (refusal !== DENIED) {
      await t.keys('C-c');
      await new Promise((r) => setTimeout(r, 1000));
    }
    await settle(t);
  } catch (err) {
    console.log(await t.pane());
    throw err;
  } finally {
    await t.close();
  }
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(existsSync(marker), false, `${name}: the denied line ran when the terminal hung up`);
}

test('^] (character search) takes the next key as what to look for: the line is judged as the shell holds it', {
  skip: missing ?? false,
}, async () => {
  await attack('ctrl-bracket', DENIED, async (t, marker) => {
    const cut = marker.indexOf('forbidden-') + 'forbidden-'.length;
    // The keys spell `forbidden-Qmarker…`; bash looks for a Q, finds none, and holds `forbidden-marker…`.
    await t.text(`touch ${marker.slice(0, cut)}`);
    await t.keys('C-]');
    await t.text(`Q${marker.slice(cut)}`);
    await t.keys('Enter');
  });
});

test('^_ (undo) brings back a line ^U killed: the line is judged as the shell holds it', {
  skip: missing ?? false,
}, async () => {
  await attack('undo', DENIED, async (t, marker) => {
    await t.text(`touch ${marker}`);
    await t.keys('C-u');
    await t.keys('C-_');
    await t.keys('Enter');
  });
});

test('ESC 1 ESC # (insert-comment with an argument: uncomment, then run with no Enter) is refused', {
  skip: missing ?? false,
}, async () => {
  await attack('comment', 'vigil: statement_uncertain', async (t, marker) => {
    await t.text(`#touch ${marker}`);
    await t.keys('Escape', '1', 'Escape', '#');
  });
});

test('^X e (replay the last keyboard macro, which holds an Enter) is refused', {
  skip: missing ?? false,
}, async () => {
  await attack('macro', 'vigil: statement_uncertain', async (t, marker) => {
    // A macro of a harmless line and its Enter, which passes as that line's own Enter.
    await t.keys('C-x', '(');
    await t.text(': macro-ok');
    await t.keys('Enter');
    await t.keys('C-x', ')');
    await settle(t);
    await t.text(`touch ${marker}; `);
    await t.keys('C-x', 'e');
  });
});

test('in vi mode, ESC and Enter sent together run the line: the Enter is held and the line judged', {
  skip: missing ?? false,
}, async () => {
  await attack('vi-escape-enter', DENIED, async (t, marker) => {
    await t.line('set -o vi');
    await settle(t);
    await t.text(`touch ${marker}`);
    // As one write: the guard took ESC \r for an escape sequence, not an Enter.
    await t.bytes('\x1b\r');
  });
});
