// A wide terminal played back: a real shell through Vigil in a pty of 300×30 (ssh2's pty request)
// prints a line whose end sits at column 286. The player fitted every recording to its column, so at
// 1280 px this one was drawn at about 4 px a glyph, unreadable. A terminal too wide to read fitted is
// now drawn at a readable size in a column that scrolls sideways, and the page says so; an 80-column
// terminal still fits its column. Real OpenSSH through Vigil, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { SET_PROMPT, SHELL_PROMPT, typeInShell } from './support/ssh-shell.js';

const missing = sshdMissing();
let f: SshFixture;
let browser: Browser | null = null;
const sessions = { wide: '', narrow: '' };

/** A shell in a terminal of `cols` columns that prints 285 zeros and `WIDE-42` on one line, then exits. */
async function shellOf(cols: number): Promise<string> {
  await typeInShell(
    f,
    TOKENS.alice,
    [SET_PROMPT, "printf '%0285d' 0; echo WIDE-$((6*7))", 'exit'],
    [SHELL_PROMPT, 'WIDE-42'],
    { cols, rows: 30 },
  );
  return (await f.sessions()).at(-1)![0]!.sessionId;
}

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startSshFixture({ connection: { echo_wait: '3s' } });
  sessions.wide = await shellOf(300);
  sessions.narrow = await shellOf(80);
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

interface Drawn {
  /** The width of one glyph of `WIDE-42` as drawn, in CSS px. */
  readonly glyph: number;
  /** Whether `WIDE-42` lies wholly inside the player's column, as scrolled. */
  readonly inView: boolean;
}

/** The Terminal tab at the moment `exit` was typed (the output is on the screen). */
async function openAtExit(page: Page, sessionId: string): Promise<void> {
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal&command=3`);
  const screen = page.getByTestId('terminal-player').locator('.ap-term-text');
  await until('the player with the output', async () => {
    const text = (await screen.textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    return text.includes('WIDE-42') ? text : null;
  });
}

/** Where and how large `WIDE-42` is drawn (the output's line, not the typed command's). */
function measure(page: Page): Promise<Drawn> {
  return page.getByTestId('terminal-player').evaluate((holder) => {
    const lines = Array.from(holder.querySelectorAll('.ap-line')).filter((l) =>
      /0{200}WIDE-42/.test(l.textContent ?? ''),
    );
    const line = lines[0];
    if (!line) throw new Error('no line holds the output');
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? '').indexOf('WIDE-42');
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 'WIDE-42'.length);
      const word = range.getBoundingClientRect();
      const box = holder.getBoundingClientRect();
      return { glyph: word.width / 7, inView: word.left >= box.left && word.right <= box.right + 0.5 };
    }
    throw new Error('WIDE-42 is split across elements');
  });
}

test('a terminal too wide to read fitted to the page is drawn readable and scrolls sideways', {
  skip: missing ?? false,
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);

  await openAtExit(page, sessions.wide);
  const drawn = await measure(page);
  assert.ok(drawn.glyph >= 6, `each glyph is drawn ${drawn.glyph.toFixed(2)} px wide: readable`);
  assert.match((await page.getByTestId('terminal-wide').textContent()) ?? '', /300 columns wide/);
  // The end of the line is out of view at first, and scrolling the column sideways brings it in.
  const holder = page.getByTestId('terminal-player');
  const [scrollWidth, clientWidth] = await holder.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  assert.ok(scrollWidth > clientWidth, 'the column scrolls');
  assert.equal((await measure(page)).inView, false);
  await holder.evaluate((el) => {
    el.scrollLeft = el.scrollWidth;
  });
  assert.equal((await measure(page)).inView, true, 'scrolled, the end of the line is in view');
  // The page itself is not widened: only the player's column scrolls.
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(pageWidth <= 1280, `the page is ${pageWidth} px wide`);

  // An 80-column terminal fits its column as before: nothing to scroll, no notice.
  await openAtExit(page, sessions.narrow);
  assert.equal(await page.getByTestId('terminal-wide').count(), 0);
  const narrow = await page
    .getByTestId('terminal-player')
    .evaluate((el) => [el.scrollWidth, el.clientWidth, el.querySelector('.ap-player')?.clientWidth ?? 0]);
  assert.ok(narrow[0]! <= narrow[1]!, 'an 80-column terminal does not scroll');
  assert.ok(narrow[2]! > narrow[1]! * 0.9, 'it fills its column');
  assert.deepEqual(errors, []);
  await page.context().close();
});
