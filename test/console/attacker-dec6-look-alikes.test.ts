// Characters that look like a shell's quotes and are not: to bash, `ʺ` (U+02BA, modifier letter
// double prime) is a letter like any other. A held `echo ʺheld-marker; touch …/pwned; echo byeʺ`
// read on the approval card as one echo of a quoted string, and ran `touch`: the card showed every
// character as recorded and nothing said that two of them were not what they looked like. The card
// now names each look-alike of ASCII syntax in the statement or command it holds. Real OpenSSH
// through Vigil, a real `ssh` client, Chromium.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

const missing = sshdMissing();
let f: SshFixture;
let browser: Browser | null = null;

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startSshFixture({
    policy: {
      rules: [
        {
          name: 'hold-marked',
          match: { events: ['ssh.exec'], pattern: 'held-marker' },
          action: 'review',
          review: { approvers: ['group:security'], required: 1, timeout: '60s' },
        },
      ],
    },
  });
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a held command whose quotes are look-alikes says so on the approval card', {
  skip: missing ?? false,
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const pwned = join(f.work, 'pwned');
  const command = `echo \u02BAheld-marker; touch ${pwned}; echo bye\u02BA`;
  const run = f.ssh('alice', ['alice@127.0.0.1', command]);
  await until('the held command', async () =>
    (await f.gateway.store.approvals.listApprovals({ status: 'pending' })).length > 0 ? true : null,
  );
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/approvals`);
  const card = page.getByTestId('approval');
  const statement = card.locator('[data-complete="true"] [data-testid="approval-statement"]');
  await statement.waitFor({ timeout: 30_000 });
  assert.equal(await statement.textContent(), command, 'the command is on the card as recorded');
  // The card names the look-alike, with its code point and what it resembles.
  const warning = card.getByTestId('approval-look-alike');
  assert.equal(await warning.count(), 1, 'the card warns of the look-alike quotes');
  assert.equal(await warning.locator('[data-code="U+02BA"]').count(), 1);
  assert.match((await warning.textContent()) ?? '', /U\+02BA \(looks like ", 2 times\)/);
  // Approve comes after the warning: whoever reaches the button has passed it.
  const [warned, button] = await Promise.all([
    warning.evaluate((el) => el.getBoundingClientRect().bottom),
    card.getByRole('button', { name: 'Approve' }).evaluate((el) => el.getBoundingClientRect().top),
  ]);
  assert.ok(warned < button);
  // What the warning is about: approved, the text that looked quoted ran.
  await card.getByTestId('approval-reason').fill('an echo, as it reads');
  await card.getByRole('button', { name: 'Approve' }).click();
  const done = await run;
  assert.equal(done.code, 0, done.stderr);
  assert.ok(existsSync(pwned), 'the command that looked quoted ran');
  assert.deepEqual(errors, []);
  await page.context().close();
});
