// Takes docs/console/terminal.png: an SSH session typed through Vigil into the real OpenSSH server
// (test/ssh/ssh-fixture.ts), shown in the console's Terminal tab at its third command.
// Usage: node --import tsx test/console/screenshot-terminal.ts
import { mkdirSync } from 'node:fs';
import { startSshFixture } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { buildConsole, launchChromium, signInWithToken } from './support/browser.js';
import { SET_PROMPT, SHELL_PROMPT, typeInShell } from './support/ssh-shell.js';

const OUT = 'docs/console';
mkdirSync(OUT, { recursive: true });
process.env.VIGIL_CONSOLE_DIR = buildConsole();
const f = await startSshFixture();
try {
  await typeInShell(
    f,
    TOKENS.alice,
    [SET_PROMPT, 'uname -s', 'ls -1 /etc | head -5', 'df -h / | tail -1', 'exit'],
    [SHELL_PROMPT, 'Linux', SHELL_PROMPT, '%'],
  );
  const session = (await f.sessions()).at(-1)![0]!.sessionId;
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/sessions/${session}?tab=terminal&command=4`);
  await page.locator('.ap-term-text').waitFor();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${OUT}/terminal.png` });
  await browser.close();
  console.log(`screenshot written to ${OUT}/terminal.png`);
} finally {
  await f.close();
}
