// Actions and the model turns that proposed them, both ways, in Chromium: a model (the demo model,
// scripted) proposes an UPDATE in a code block; the same identity runs it through Vigil's PostgreSQL
// connection, where it is held for review. The reviewer's approval card names the proposing turn;
// from the statement's session, the held statement's entry links to that turn in the model session's
// reasoning tree; the turn's panel lists the statement among its actions, and its link leads back to
// the statement in the database session. Real gateway, real PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { PROPOSAL, type ProposerFixture, startProposerFixture } from '../support/proposer-fixture.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

let fixture: ProposerFixture | undefined;
let gateway: TestGateway;
let browser: Browser | null = null;

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  fixture = await startProposerFixture('vigil_console_proposed_by');
  ({ gateway } = fixture);
});
after(async () => {
  await browser?.close();
  await fixture?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a held statement links to the model turn that proposed it, and the turn links back to the statement', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'Please fix the balance of account 1' }],
  });
  const [modelSession] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  assert.ok(modelSession);

  const db = fixture!.client('alice', TOKENS.alice);
  await db.connect();
  const running = db.query(PROPOSAL);

  const { page, requests, errors } = await watchedPage(browser);
  await signInWithToken(page, gateway.url, TOKENS.audrey);
  await page.goto(`${gateway.url}/approvals`);
  const card = page.getByTestId('approval');
  await card.waitFor({ timeout: 30_000 });
  // The reviewer sees which model turn proposed the held statement.
  assert.match((await card.getByTestId('approval-action').textContent()) ?? '', /UPDATE accounts/);
  const cardLink = card.getByTestId('proposed-by').getByRole('link');
  const turnHref = (await cardLink.getAttribute('href')) ?? '';
  assert.match(turnHref, new RegExp(`^/sessions/${modelSession.id}\\?tab=tree&node=`));
  await card.getByTestId('approval-reason').fill('the model was right, checked by hand');
  await card.getByRole('button', { name: 'Approve' }).click();
  assert.equal((await running).rowCount, 1);
  await db.end();
  await gateway.recorder.drain();

  const [dbSession] = await gateway.store.ledger.listSessions({ connection: 'pg' });
  assert.ok(dbSession);
  const statement = (await gateway.store.ledger.readSession(dbSession.id)).find(
    (e) => e.type === 'db.query',
  )!;

  // From the statement, as it ran (after its approval), to the model turn that proposed it.
  await page.goto(`${gateway.url}/sessions/${dbSession.id}`);
  const entry = page.locator('[data-testid="event"][data-type="db.query"]');
  assert.match((await entry.textContent()) ?? '', /UPDATE accounts SET balance = 0/);
  const toTurn = entry.getByTestId('proposed-by').getByRole('link');
  assert.equal(await toTurn.getAttribute('href'), turnHref);
  // The approval request's own entry names the same turn.
  assert.equal(
    await page
      .locator('[data-testid="event"][data-type="approval.requested"]')
      .getByTestId('proposed-by')
      .getByRole('link')
      .getAttribute('href'),
    turnHref,
  );
  await toTurn.click();
  await page.waitForURL((u) => u.pathname === `/sessions/${modelSession.id}` && u.search.includes('node='));
  const panel = page.getByTestId('node-panel');
  await panel.waitFor();
  assert.match((await panel.textContent()) ?? '', /fix the balance/);

  // And back: the turn lists the statement among the actions it proposed, linked to where it ran.
  const back = panel.getByTestId('node-actions').getByRole('link', { name: `db.query #${statement.seq}` });
  assert.equal(await back.getAttribute('href'), `/sessions/${dbSession.id}?event=${statement.seq}`);
  await back.click();
  await page.waitForURL(
    (u) => u.pathname === `/sessions/${dbSession.id}` && u.search === `?event=${statement.seq}`,
  );
  const selected = page.locator('[data-testid="event"].selected');
  await selected.waitFor();
  assert.equal(await selected.getAttribute('data-type'), 'db.query');
  assert.match((await selected.textContent()) ?? '', /UPDATE accounts SET balance = 0 WHERE id = 1/);

  assert.deepEqual(
    requests.filter((u) => !u.startsWith(`${gateway.url}/`)),
    [],
  );
  assert.deepEqual(errors, []);
});
