// A shell can print text in the colour of what is behind it: black on black, the player's own
// background as a 24-bit colour, or blinking. The player drew it in its DOM where no auditor could
// see it, so a command's output, and a command typed after `printf '\033[30;40m'` (its echo, its
// prompt and its output), were on the replay yet out of sight. The player is now handed every SGR as
// the whole pen it leaves, in the default colours when its text would be too close to its
// background, and never blinking (web/src/terminal-colours.ts). Real OpenSSH through Vigil, Chromium:
// what is judged is the screenshot of the text's box, what the auditor sees.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { SET_PROMPT, typeInShell } from './support/ssh-shell.js';

const missing = sshdMissing();

// Each word is spelled by printf's or the shell's expansion, so the typed line does not hold it.
const LINES = [
  SET_PROMPT,
  "printf '\\033[30;40m%s-%s\\033[0m\\n' hidden black",
  "printf '\\033[38;2;18;19;20m%s-%s\\033[0m\\n' hidden rgb",
  "printf '\\033[5m%s-%s\\033[0m\\n' hidden blink",
  // The same colours through the 8-bit CSI (U+009B, UTF-8 C2 9B).
  "printf '\\302\\23330;40m%s-%s\\033[0m\\n' hidden c1",
  // From here the pen is black on black: the prompt, the next command's echo and its output too.
  "printf '\\033[30;40m'",
  'echo hidden-$((6*7))-ran',
  "printf '\\033[0m'",
  'exit',
];
const WAIT = ['', 'hidden-black', 'hidden-rgb', 'hidden-blink', 'hidden-c1', '', 'hidden-42-ran', ''];
/** Shown on the screen once the line `printf '\033[0m'` (the 8th command) is entered. */
const SHOWN = [
  'hidden-black',
  'hidden-rgb',
  'hidden-blink',
  'hidden-c1',
  'echo hidden-$((6*7))-ran',
  'hidden-42-ran',
];

let f: SshFixture;
let browser: Browser | null = null;
let sessionId = '';

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startSshFixture({ connection: { echo_wait: '3s' } });
  await typeInShell(f, TOKENS.alice, LINES, WAIT);
  sessionId = (await f.sessions()).at(-1)![0]!.sessionId;
});

after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

/**
 * Pixels of a PNG that stand out from its most common colour (the background) by at least 64 in
 * some channel: the ink a reader can see. Decoded in a blank page of the same browser.
 */
async function inkOf(decoder: Page, png: Buffer): Promise<number> {
  return decoder.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    [canvas.width, canvas.height] = [img.width, img.height];
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    const counts = new Map<number, number>();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const back = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const [r, g, b] = [back >> 16, (back >> 8) & 0xff, back & 0xff];
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      const d = Math.max(Math.abs(data[i]! - r), Math.abs(data[i + 1]! - g), Math.abs(data[i + 2]! - b));
      if (d >= 64) ink++;
    }
    return ink;
  }, png.toString('base64'));
}

test('text printed in the colour behind it, or blinking, is drawn where the auditor sees it', {
  skip: missing ?? false,
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, dialogs, errors } = await watchedPage(browser);
  const decoder = await browser.newPage();
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal&command=8`);
  const player = page.getByTestId('terminal-player');
  await until('the player showing every line', async () => {
    const text = await player
      .locator('.ap-line')
      .allTextContents()
      .catch(() => []);
    return SHOWN.every((s) => text.some((row) => row.includes(s))) ? true : null;
  });
  // The blink animation and the player's cursor settle; the player is paused at the command.
  await page.waitForTimeout(500);
  // The player's play button sits over the middle of the screen, and its control bar over the last
  // rows: out of the way of the ink counted.
  await page.evaluate(() => {
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.ap-overlay, .ap-control-bar')))
      el.style.visibility = 'hidden';
  });
  const problems: string[] = [];
  for (const shown of SHOWN) {
    const span = player.locator('.ap-line span', { hasText: shown }).last();
    // The text's own box, scrolled into view: the ink in it is what a reader sees of it. Its middle
    // band only, as a line's box reaches into its neighbours' (the cursor on the row below).
    await span.scrollIntoViewIfNeeded();
    const box = await span.boundingBox();
    assert.ok(box, `${shown}: drawn`);
    const clip = { ...box, y: box.y + box.height * 0.15, height: box.height * 0.7 };
    const ink = await inkOf(decoder, await page.screenshot({ clip }));
    if (ink < 20) problems.push(`${shown}: out of sight (${ink} pixels of ink)`);
    const cls = (await span.getAttribute('class')) ?? '';
    if (/ap-blink/.test(cls)) problems.push(`${shown}: blinks (out of sight half the time)`);
  }
  assert.deepEqual(problems, [], problems.join('; '));
  // The recording keeps the sequences as the host sent them.
  const terminal = (await (
    await fetch(`${f.gateway.url}/api/sessions/${sessionId}/terminal`, {
      headers: { authorization: `Bearer ${TOKENS.audrey}` },
    })
  ).json()) as { terminal: { cast: string } };
  assert.ok(terminal.terminal.cast.includes('\\u001b[30;40m'), 'the recording keeps the hiding colours');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await decoder.close();
  await page.context().close();
});
