// Attacks on the interactive line guard, typed through tmux into the real OpenSSH client: keys
// other than Enter that make the host's line editor run a line, or change what the line holds in
// ways the guard misread. Each attack tries to create a marker file a deny rule forbids; the test
// checks that the file never appears and that the line was judged (and refused) as the shell
// would have read it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { sshdMissing } from '../support/openssh-server.js';
import { NO_FORBIDDEN_MARKER, type SshFixture, startSshFixture, until } from './ssh-fixture.js';
import { openTmuxShell, type TmuxTerminal, tmuxMissing } from './tmux-terminal.js';

const missing = sshdMissing() ?? tmuxMissing();
let f: SshFixture;
let sync = 0;

before(async () => {
  if (missing) return;
  f = await startSshFixture({
    policy: {
      rules: [
        NO_FORBIDDEN_MARKER,
        { name: 'no-mkdir', match: { events: ['ssh.command'], pattern: '^mkdir ' }, action: 'deny' },
      ],
    },
  });
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

/** The shell lines recorded, each followed by the decision on it. */
async function commandsRecorded(): Promise<StoredEvent[]> {
  const events = await f.events({ identity: 'alice' });
  return events.filter((e) => e.type === 'ssh.command');
}

/**
 * Opens a terminal for an attack that tries to make `forbidden-marker-<name>`, runs it, and checks
 * once more after the terminal is gone: a line left in the host's input runs when it hangs up.
 */
async function inTerminal(name: string, run: (t: TmuxTerminal, marker: string) => Promise<void>) {
  const marker = join(f.work, `forbidden-marker-${name}`);
  const t = await openTmuxShell(f, `vigil-attack-${name}`);
  try {
    await run(t, marker);
  } catch (err) {
    console.log(await t.pane());
    throw err;
  } finally {
    await t.close();
  }
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(existsSync(marker), false, `${name}: the denied line ran when the terminal hung up`);
}

/** Waits until the line ran (the marker appears) or was refused; it must not have run. */
async function refusedNotRun(marker: string, refused: () => Promise<boolean>, what: string): Promise<void> {
  await until('the line to run or be refused', async () => existsSync(marker) || (await refused()));
  assert.equal(existsSync(marker), false, what);
}

async function attack(name: string, run: (t: TmuxTerminal, marker: string) => Promise<void>) {
  await inTerminal(name, async (t, marker) => {
    await run(t, marker);
    await refusedNotRun(
      marker,
      async () => (await t.pane()).includes('vigil: policy_denied: denied by rule no-forbidden'),
      `${name}: the denied line ran`,
    );
    await settle(t);
  });
  const commands = await commandsRecorded();
  assert.ok(
    commands.some((e) =>
      String(e.payload?.command).replaceAll('\\\n', '').includes(`forbidden-marker-${name}`),
    ),
    `${name}: the refused line is recorded with its text`,
  );
}

test('^O (bash operate-and-get-next) runs the line like Enter: it is judged first, and a denied line never runs', {
  skip: missing ?? false,
}, async () => {
  await attack('ctrl-o', async (t, marker) => {
    await t.text(`touch ${marker}`);
    await t.keys('C-o');
  });
});

test('^V just before Enter does not turn the erase of a denied line into a character', {
  skip: missing ?? false,
}, async () => {
  await attack('ctrl-v', async (t, marker) => {
    await t.text(`touch ${marker} `);
    await t.keys('C-v');
    await t.keys('Enter');
  });
});

test('a denied line is erased wherever the cursor is (Home before Enter)', {
  skip: missing ?? false,
}, async () => {
  await attack('home', async (t, marker) => {
    await t.text(`touch ${marker}`);
    await t.keys('Home');
    await t.keys('Enter');
  });
});

test('a denied line is erased wherever the cursor is (^A before Enter)', {
  skip: missing ?? false,
}, async () => {
  await attack('ctrl-a', async (t, marker) => {
    await t.text(`touch ${marker}`);
    await t.keys('C-a');
    await t.keys('Enter');
  });
});

test('in vi mode, where ^E ^U does not erase the line, a denied line is dropped with ^C, never run', {
  skip: missing ?? false,
}, async () => {
  await attack('vi-mode', async (t, marker) => {
    await t.line('set -o vi');
    await settle(t);
    await t.text(`touch ${marker}`);
    // Command mode, cursor to the start of the line: ^U there kills nothing.
    await t.keys('Escape');
    await t.text('0');
    await t.keys('Enter');
  });
});

test('a background job that keeps clearing the terminal line cannot make a kept line look erased or empty', {
  skip: missing ?? false,
}, async () => {
  await inTerminal('forged', async (t, marker) => {
    await t.line('set -o vi');
    await settle(t);
    // Draws an empty line (what an erased one looks like) every few milliseconds for a few seconds.
    await t.line("for i in $(seq 600); do printf '\\r\\033[K'; sleep 0.005; done &");
    await settle(t);
    // Escape and `0` make the guard read the line from the screen, which the job keeps empty.
    await t.text(`touch ${marker}`);
    await t.keys('Escape');
    await t.text('0');
    await t.keys('Enter');
    const judgedByKeys = async () =>
      (await commandsRecorded()).some((e) => String(e.payload?.keystrokes ?? '').includes(marker));
    await refusedNotRun(marker, judgedByKeys, 'the denied line ran');
    // The shell may still be drawing; the guard either got its new prompt or closed the channel.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(existsSync(marker), false, 'the denied line ran');
  });
});

test('a history line recalled with Up and run in the same keystroke chunk is judged as the shell redraws it', {
  skip: missing ?? false,
}, async () => {
  await attack('history', async (t, marker) => {
    // The typed line names the marker only once the shell has expanded it: it is allowed.
    const cut = marker.indexOf('forbidden-');
    await t.line(`M=$(printf 'forbidden-%s' marker-history); history -s touch "${marker.slice(0, cut)}$M"`);
    await settle(t);
    // Up twice (past the settle line), then Enter, all in one write.
    await t.bytes('\x1b[A\x1b[A\r');
  });
});

test('history expansion and fc, which run a line from the history rather than the one typed, are refused', {
  skip: missing ?? false,
}, async () => {
  await inTerminal('rerun', async (t, marker) => {
    // The typed line names the marker only once the shell has expanded it: it is allowed.
    const cut = marker.indexOf('forbidden-');
    await t.line(`M=$(printf 'forbidden-%s' marker-rerun); history -s touch "${marker.slice(0, cut)}$M"`);
    await settle(t);
    for (const line of ['!touch', 'fc -s touch', 'echo "$(!to)"']) {
      await t.line(line);
      await refusedNotRun(
        marker,
        async () => (await t.pane()).includes('vigil: statement_uncertain: Vigil cannot judge this line'),
        `${line} ran a line from the history`,
      );
      await settle(t);
      await t.line('clear');
      await settle(t);
    }
  });
  const refused = (await commandsRecorded()).map((e) => String(e.payload?.command));
  for (const line of ['!touch', 'fc -s touch']) assert.ok(refused.includes(line), `${line} is recorded`);
});

test('a line after one the shell rejected (a syntax error left a quote open) is judged alone too', {
  skip: missing ?? false,
}, async () => {
  await inTerminal('syntax', async (t) => {
    // A command the `no-mkdir` rule denies by a pattern anchored at the start of the statement.
    const made = join(f.work, 'made-after-a-syntax-error');
    // bash rejects `echo a('` at the `(`, so the quote never opens and the next line runs alone.
    await t.line("echo a('");
    await settle(t);
    await t.line(`mkdir ${made}`);
    await refusedNotRun(
      made,
      async () => (await t.pane()).includes('vigil: policy_denied: denied by rule no-mkdir'),
      'the line after the rejected one ran',
    );
  });
});

test('a pending ^X prefix before Enter does not turn the erase of a denied line into an undo', {
  skip: missing ?? false,
}, async () => {
  await attack('ctrl-x', async (t, marker) => {
    await t.text(`touch ${marker}`);
    await new Promise((r) => setTimeout(r, 200));
    await t.text(' ');
    await t.keys('C-x');
    await t.keys('Enter');
  });
});

test('a line continued with a backslash is judged with the lines before it', {
  skip: missing ?? false,
}, async () => {
  await attack('continued', async (t, marker) => {
    const cut = marker.indexOf('forbidden-') + 'forbidden-'.length;
    await t.line(`touch ${marker.slice(0, cut)}\\`);
    await t.shows(/^>/m);
    await t.line(marker.slice(cut));
  });
  // Recorded as the statement the shell ran: both lines, marked as continued.
  const last = (await commandsRecorded()).find((e) =>
    String(e.payload?.command).includes('forbidden-\\\nmarker-continued'),
  );
  assert.equal(last?.payload?.continued, true);
});

test('paste markers sent to a program that never asked for bracketed paste (dash) do not hide its Enters', {
  skip: missing ?? false,
}, async () => {
  await attack('paste-dash', async (t, marker) => {
    await t.line('exec /bin/dash');
    // Typed only once dash reads (its first prompt is the exported one, under the exec line): keys
    // that reach the terminal while bash hands over are run but never echoed.
    await t.shows(/exec \/bin\/dash\s*\nvt\$ ?$/m);
    await t.line("PS1='dash$ '");
    // The prompt on a line of its own (the screen's trailing spaces are not captured).
    await t.shows(/^dash\$ ?$/m);
    await t.bytes(`\x1b[200~\rtouch ${marker}\r\x1b[201~\r`);
  });
});

test('^X^E (edit the line in an editor, then run it) is refused: the edited text would run unseen', {
  skip: missing ?? false,
}, async () => {
  await inTerminal('editor', async (t, marker) => {
    await t.line('export EDITOR=vim.basic VISUAL=vim.basic');
    await t.text(`touch ${marker}`);
    await t.keys('C-x');
    await t.keys('C-e');
    await new Promise((r) => setTimeout(r, 1500));
    // In vim (if it opened): quit with ZZ, no Enter for Vigil to hold; bash would then run the buffer.
    await t.keys('Escape');
    await t.text('ZZ');
    await refusedNotRun(
      marker,
      async () => (await t.pane()).includes('vigil: statement_uncertain'),
      'the line edited in the editor ran',
    );
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(existsSync(marker), false, 'the line edited in the editor ran');
  });
});
