// A terminal draws a combining mark on the cell of the letter before it and a zero-width character
// on no cell. The player's emulator gave each of them a cell of its own: a host printing `A` and
// 2,000 U+0333 (or 2,000 zero-width spaces, which draw nothing) filled 25 rows of the player, so the
// text that followed on the same line of the terminal was drawn a screen further down and the lines
// before it had scrolled out of the player's view: the replay showed a screen nobody saw. The player
// now gets the recording with zero-width format characters taken out and at most four marks on a
// character, counted across frames and escape sequences. Real OpenSSH through Vigil, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { SET_PROMPT, SHELL_PROMPT, typeInShell } from './support/ssh-shell.js';

const missing = sshdMissing();

/**
 * Each case: a shell line printing `NAME-top`, then on the next line the letter, the run, and
 * ` NAME-after` (the words are spelled by printf's `%s` so that the typed line does not hold them).
 */
const CASES = [
  // U+0333 (double low line, drawn with a width of its own), 2,000 times.
  { name: 'marks', letter: 'A', run: "'\\314\\263%.0s' $(seq 2000)" },
  // U+200B (zero-width space), 2,000 times: nothing is drawn, and the rows went by all the same.
  { name: 'spaces', letter: 'B', run: "'\\342\\200\\213%.0s' $(seq 2000)" },
  // Three marks then a colour reset, 700 times: escape sequences do not start a new letter.
  { name: 'colours', letter: 'C', run: "'\\314\\263\\314\\263\\314\\263\\033[m%.0s' $(seq 700)" },
] as const;
const lineFor = (c: (typeof CASES)[number]) =>
  `printf '%s-top\\n${c.letter}' ${c.name}; printf ${c.run}; printf ' %s-after\\n' ${c.name}`;
const LINES = [SET_PROMPT, ...CASES.map(lineFor), 'exit'];

let f: SshFixture;
let browser: Browser | null = null;
let sessionId = '';

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startSshFixture({ connection: { echo_wait: '3s' } });
  await typeInShell(f, TOKENS.alice, LINES, [SHELL_PROMPT, ...CASES.map((c) => `${c.name}-after`)]);
  sessionId = (await f.sessions()).at(-1)![0]!.sessionId;
});

after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a run of marks or zero-width characters does not push the player’s screen away from what the terminal showed', {
  skip: missing ?? false,
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, dialogs, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  for (const [i, c] of CASES.entries()) {
    // The moment the next line was entered: this line's output is all on the screen.
    await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal&command=${i + 3}`);
    const rows = () =>
      page
        .getByTestId('terminal-player')
        .locator('.ap-line')
        .evaluateAll((els) => els.map((e) => (e.textContent ?? '').trimEnd()));
    const screen = await until(`the player after the ${c.name} line`, async () => {
      const r = await rows().catch(() => []);
      return r.some((row) => row.includes(`${c.name}-after`)) ? r : null;
    });
    const top = screen.indexOf(`${c.name}-top`);
    const end = screen.findIndex((row) => row.includes(`${c.name}-after`));
    // As on the terminal: the line before the run is still on the screen, and the text after the
    // run is on the very next row, beside its letter and a few of the marks.
    assert.ok(top !== -1, `${c.name}: the line before the run is on the screen: ${JSON.stringify(screen)}`);
    assert.equal(end, top + 1, `${c.name}: the text after the run is on the next row`);
    const drawn = screen[end]!;
    assert.match(drawn, new RegExp(`^${c.letter}\\p{M}{0,4} ${c.name}-after$`, 'u'), c.name);
    assert.doesNotMatch(drawn, /\u200B/, `${c.name}: no zero-width space reaches the player`);
  }
  // The timeline still has the output as recorded: the recording itself is untouched.
  const terminal = (await (
    await fetch(`${f.gateway.url}/api/sessions/${sessionId}/terminal`, {
      headers: { authorization: `Bearer ${TOKENS.audrey}` },
    })
  ).json()) as { terminal: { cast: string } };
  const marks = terminal.terminal.cast.match(/\u0333/g)?.length ?? 0;
  assert.equal(marks, 2000 + 3 * 700, 'the recording keeps every mark');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await page.context().close();
});
