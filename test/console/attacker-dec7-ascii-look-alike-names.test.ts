// A name that passes for a colleague's without leaving ASCII: an identity named `aIice` (a capital I
// where `alice` has an l), as an identity provider may allow for a display name or subject, sends an
// UPDATE through psql, held for review by group:ai-eng. The reviewer, the real `alice`, read "Asked by
// aIice" on the card, which in the console's sans-serif font is her own name, and nothing was marked:
// the look-alike mark looked for other scripts and compatibility forms only. Now a name is marked
// whenever another name the page shows reads the same (both of them, each naming the other): on the
// card above Approve, in the header, in the timeline (who asked, "Decided by"), and in the session
// list, where bob, who looks like no one, stays unmarked. Real gateway, real PostgreSQL, real psql,
// Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { hashToken } from '../../src/identity/config-tokens.js';
import { type PgFixture, runClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { denyOnCard, heldRequest, startReviewedWrites } from './support/reviewed-writes.js';

/** `alice` with a capital I for the l. */
const IMPOSTOR = 'aIice';
const IMPOSTOR_TOKEN = 'tok-impostor-ascii-0123456789';
const STATEMENT = 'update accounts set balance = 0 where id = 1';

let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  f = await startReviewedWrites('vigil_console_ascii_look_alikes', ['group:ai-eng'], [[1, 100]], {
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

/** The names a mark says its name looks like. */
async function namedIn(mark: Locator): Promise<string[]> {
  return mark.getByTestId('look-alike-name').allTextContents();
}

test('an ASCII name that reads as a colleague is marked beside that colleague, on the card, the header, the timeline and the list', {
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  // bob runs a query of his own: his session is listed, and his name looks like no other.
  const bobs = await runClient('psql', ['-X', '-A', '-t', '-c', 'select 1'], f, TOKENS.bob, undefined, {
    PGUSER: 'bob',
  });
  assert.equal(bobs.code, 0, bobs.stderr);
  const psql = runClient('psql', ['-X', '-A', '-t', '-c', STATEMENT], f, IMPOSTOR_TOKEN, undefined, {
    PGUSER: IMPOSTOR,
  });
  const record = await heldRequest(f);
  assert.equal(record.requester.subject, IMPOSTOR, 'the gateway recorded the name as given');

  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.alice);
  await page.goto(`${f.gateway.url}/approvals`);
  const card = page.getByTestId('approval');
  await card.locator('[data-complete="true"]').waitFor({ timeout: 30_000 });
  assert.equal(await card.getByTestId('approval-requester').textContent(), IMPOSTOR, 'drawn as recorded');
  // The card says whose name the requester's reads as, before the buttons.
  const warning = card.getByTestId('requester-look-alike');
  await warning.waitFor({ timeout: 10_000 });
  assert.equal(await warning.getAttribute('role'), 'alert');
  assert.deepEqual(await namedIn(warning), ['alice']);
  assert.match((await warning.textContent()) ?? '', /looks like alice, another name on this page/);
  const [warned, button] = await Promise.all([
    warning.evaluate((el) => el.getBoundingClientRect().bottom),
    card.getByRole('button', { name: 'Approve' }).evaluate((el) => el.getBoundingClientRect().top),
  ]);
  assert.ok(warned < button, 'whoever reaches the buttons has passed the warning');
  // The reviewer's own name in the header is marked too, naming the impostor: neither alone says which is real.
  assert.deepEqual(await namedIn(page.getByTestId('who').getByTestId('identity-look-alike')), [IMPOSTOR]);

  await denyOnCard(page, card, 'not the alice I am');
  assert.notEqual((await psql).code, 0, 'a denied statement does not run');

  // The held session's timeline: the impostor's entries and "Decided by alice" name each other.
  await page.goto(`${f.gateway.url}/sessions/${record.sessionId}`);
  const requested = page.locator('[data-testid="event"][data-type="approval.requested"]').first();
  await requested.waitFor({ timeout: 30_000 });
  assert.deepEqual(await namedIn(requested.getByTestId('event-actor')), ['alice']);
  const decided = page.locator('[data-testid="event"][data-type="approval.decided"]').first();
  await decided.waitFor({ timeout: 30_000 });
  const by = decided.getByTestId('event-attribution');
  assert.match((await by.textContent()) ?? '', /^Decided by alice/);
  assert.deepEqual(await namedIn(by), [IMPOSTOR]);

  // The session list: both names marked wherever drawn, bob's never.
  await page.goto(`${f.gateway.url}/sessions`);
  const impostorRow = page.locator(`[data-testid="session-row"][href="/sessions/${record.sessionId}"]`);
  await impostorRow.waitFor({ timeout: 30_000 });
  await impostorRow.getByTestId('identity-look-alike').waitFor({ timeout: 10_000 });
  assert.deepEqual(await namedIn(impostorRow), ['alice']);
  const names = await page.getByTestId('identity-name').allTextContents();
  assert.ok(names.includes('bob'), "bob's session is listed");
  const marked = await page.getByTestId('identity-look-alike').count();
  assert.equal(
    marked,
    names.filter((n) => n === 'alice' || n === IMPOSTOR).length,
    'every alice and aIice is marked, and nothing else',
  );
  const bobRow = page.getByTestId('session-row').filter({ has: page.getByText('bob', { exact: true }) });
  assert.equal(await bobRow.getByTestId('identity-look-alike').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});
