// A name that passes for a colleague's: an identity whose name is `аudrey`, its first letter the
// Cyrillic `а` (U+0430), as an identity provider may allow for a display name or subject, sends an
// UPDATE through psql; it is held for review by group:security. On the approval card it read
// "Asked by аudrey", indistinguishable from the reviewer's trusted colleague `audrey`, and nothing
// said otherwise. The card now warns that the name mixes scripts and names U+0430 before the
// buttons, and the sessions list marks the name too. Real gateway, real PostgreSQL, real psql,
// Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { hashToken } from '../../src/identity/config-tokens.js';
import { type PgFixture, runClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { denyOnCard, heldRequest, startReviewedWrites } from './support/reviewed-writes.js';

/** `audrey` with a Cyrillic `а`. */
const IMPOSTOR = '\u0430udrey';
const IMPOSTOR_TOKEN = 'tok-impostor-0123456789';
const STATEMENT = 'update accounts set balance = 0 where id = 1';

let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  f = await startReviewedWrites('vigil_console_look_alike_requester', ['group:security'], [[1, 100]], {
    extraIdentities: [
      { name: IMPOSTOR, groups: ['contractors'], roles: ['user'], token_sha256: hashToken(IMPOSTOR_TOKEN) },
    ],
    reason: null,
  });
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a requester whose name passes for a colleague is flagged on the approval card and in the sessions list', {
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const psql = runClient('psql', ['-X', '-A', '-t', '-c', STATEMENT], f, IMPOSTOR_TOKEN, undefined, {
    PGUSER: IMPOSTOR,
  });
  const record = await heldRequest(f);
  assert.equal(record.requester.subject, IMPOSTOR, 'the gateway recorded the name as given');

  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/approvals`);
  const card = page.getByTestId('approval');
  await card.locator('[data-complete="true"]').waitFor({ timeout: 30_000 });
  assert.equal(await card.getByTestId('approval-requester').textContent(), IMPOSTOR, 'drawn as recorded');
  // The card says the name mixes scripts and names the Cyrillic letter and what it looks like.
  const warning = card.getByTestId('requester-look-alike');
  assert.equal(await warning.count(), 1, 'the card warns that the name may pass for another');
  assert.equal(await warning.getAttribute('role'), 'alert');
  assert.equal(await warning.locator('[data-code="U+0430"]').count(), 1);
  const said = (await warning.textContent()) ?? '';
  assert.match(said, /mixes scripts \(Cyrillic, Latin\)/);
  assert.match(said, /U\+0430 Cyrillic \(looks like a\)/);
  // Whoever reaches the buttons has passed the warning.
  const [warned, button] = await Promise.all([
    warning.evaluate((el) => el.getBoundingClientRect().bottom),
    card.getByRole('button', { name: 'Approve' }).evaluate((el) => el.getBoundingClientRect().top),
  ]);
  assert.ok(warned < button);
  await denyOnCard(page, card, 'not the audrey I know');
  assert.notEqual((await psql).code, 0, 'a denied statement does not run');

  // The sessions list marks the name too, and the reviewer's own, ordinary, name is never marked.
  await page.goto(`${f.gateway.url}/sessions`);
  const row = page.locator(`[data-testid="session-row"][href="/sessions/${record.sessionId}"]`);
  await row.waitFor({ timeout: 30_000 });
  assert.equal(await row.getByTestId('identity-name').textContent(), IMPOSTOR);
  assert.match((await row.getByTestId('identity-look-alike').textContent()) ?? '', /U\+0430/);
  const names = await page.getByTestId('identity-name').allTextContents();
  assert.ok(names.includes('audrey'), "the reviewer's own sign-in is listed");
  assert.equal(
    await page.getByTestId('identity-look-alike').count(),
    names.filter((n) => n === IMPOSTOR).length,
    'only the look-alike name is marked',
  );
  await page.goto(`${f.gateway.url}/sessions/${record.sessionId}`);
  const head = page.locator('.session-head');
  await head.waitFor({ timeout: 30_000 });
  assert.match((await head.getByTestId('identity-look-alike').textContent()) ?? '', /U\+0430 Cyrillic/);
  assert.deepEqual(errors, []);
  await page.context().close();
});
