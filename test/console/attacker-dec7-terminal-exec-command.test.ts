// A command the client asks the host to run (`ssh -t host 'command'`) is typed at no prompt, so it
// is no command line of the recording. The Terminal tab said only that no command line was typed,
// and played what the command printed: a command that cleared the screen and printed `all good`
// left the tab's reader nothing of what ran. The tab now lists the commands the client asked to run
// (their `ssh.exec`), as recorded, each linked to its event. Real OpenSSH through Vigil (ssh2, with a
// terminal), Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type SshFixture, ssh2Client, startSshFixture } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

const missing = sshdMissing();

const COMMAND = "printf 'wiped-%s\\n' data; printf '\\033[2J\\033[H'; echo all-good";

let f: SshFixture;
let browser: Browser | null = null;
let sessionId = '';

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startSshFixture();
  const client = await ssh2Client(f.port, TOKENS.alice);
  const out = await new Promise<string>((resolve, reject) => {
    client.exec(COMMAND, { pty: { term: 'xterm', cols: 80, rows: 24 } }, (err, stream) => {
      if (err) return reject(err);
      let text = '';
      stream.on('data', (c: Buffer) => {
        text += c.toString();
      });
      stream.on('close', () => resolve(text));
    });
  });
  client.end();
  assert.match(out, /wiped-data[\s\S]*all-good/, 'the command ran on the host');
  sessionId = (await f.sessions()).at(-1)![0]!.sessionId;
});

after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('the Terminal tab names the command the client asked the host to run', {
  skip: missing ?? false,
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, dialogs, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal`);
  await page.getByTestId('terminal-player').locator('.ap-line').first().waitFor({ timeout: 30_000 });
  const ran = page.getByTestId('terminal-ran');
  await ran.waitFor({ timeout: 10_000 }).catch(() => undefined);
  assert.deepEqual(
    await ran.locator('li code').allTextContents(),
    // Drawn inert, as every recorded text: a backslash is doubled, so an escape it shows is one.
    [COMMAND.replaceAll('\\', '\\\\')],
    'the command is listed beside the player, as recorded',
  );
  // Its link opens the command's own event in the timeline.
  await ran.getByRole('link').first().click();
  await page.waitForURL(/\?event=\d+$/);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await page.context().close();
});
