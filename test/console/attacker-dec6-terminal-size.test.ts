// The size of a recorded terminal is what the SSH client said, in its pty request and in each window
// change (32-bit numbers), not what a screen showed. The player's emulator allocated every cell of
// it: a session whose client asked for 65535×65535 made the player's WebAssembly fail and took the
// auditor's browser tab down, so the recording could not be played back at all. The player is now
// given at most 500×250, and the page says what the client asked for. Real OpenSSH through Vigil,
// ssh2 as the client, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { SET_PROMPT, SHELL_PROMPT, typeInShell } from './support/ssh-shell.js';

const missing = sshdMissing();
let f: SshFixture;
let browser: Browser | null = null;
let sessionId = '';

/** A shell in a terminal of 65535×65535, grown to 70000×70000 halfway. */
async function hugeShell(): Promise<void> {
  await typeInShell(
    f,
    TOKENS.alice,
    [
      SET_PROMPT,
      'echo size-$((6*7))',
      (stream) => stream.setWindow(70_000, 70_000, 0, 0),
      'echo after-$((5*5))',
      'exit',
    ],
    [SHELL_PROMPT, 'size-42', undefined, 'after-25'],
    { cols: 65535, rows: 65535 },
  );
}

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startSshFixture({ connection: { echo_wait: '3s' } });
  await hugeShell();
  sessionId = (await f.sessions()).at(-1)![0]!.sessionId;
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a terminal size no screen has cannot stop the recording from being played back', {
  skip: missing ?? false,
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  let crashed = false;
  page.on('crash', () => {
    crashed = true;
  });
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  // The moment `exit` was entered: both outputs are on the screen.
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal&command=4`);
  const screen = page.getByTestId('terminal-player').locator('.ap-term-text');
  await until('the player with both outputs', async () => {
    if (crashed) throw new Error(`the page crashed: ${errors.join('; ')}`);
    const text = (await screen.textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    return text.includes('size-42') && text.includes('after-25') ? text : null;
  });
  const size = await page.getByTestId('terminal-size').textContent();
  assert.match(size ?? '', /asked for a terminal of 70000×70000/);
  assert.match(size ?? '', /500×250/);
  // Drawn at most 250 rows of at most 500 cells.
  const rows = await screen.locator('.ap-line').count();
  assert.ok(rows <= 250, `${rows} rows`);
  assert.equal(crashed, false);
  assert.deepEqual(errors, []);
  await page.context().close();
});
