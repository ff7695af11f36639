// The approvals inbox in Chromium: a reviewer watches the inbox while psql's UPDATE, through Vigil's
// PostgreSQL connection, is held for review; the held statement arrives by server-sent events, a
// decision needs a reason with visible text, and once approved the statement runs and psql gets
// its result. Real gateway, real PostgreSQL, real psql.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { directClient, type PgFixture, runClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { startReviewedWrites } from './support/reviewed-writes.js';

let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  f = await startReviewedWrites('vigil_console_approvals', ['group:security'], [[1, 100]]);
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

async function balance(): Promise<number> {
  const direct = directClient(f);
  await direct.connect();
  try {
    return (await direct.query('select balance from accounts where id = 1')).rows[0].balance;
  } finally {
    await direct.end();
  }
}

test('a reviewer approves a held psql UPDATE in the inbox, with a reason; psql then gets its result', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/approvals`);
  await page.getByTestId('inbox-empty').waitFor();

  // The inbox is open before the statement is held: the request must arrive live.
  const psql = runClient(
    'psql',
    [
      '-X',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      'update accounts set balance = balance - 30 where id = 1',
    ],
    f,
    TOKENS.alice,
  );
  const card = page.getByTestId('approval');
  await card.waitFor({ timeout: 30_000 });
  assert.match(
    (await card.getByTestId('approval-action').textContent()) ?? '',
    /update accounts set balance/i,
  );
  assert.match((await card.textContent()) ?? '', /Asked by alice/);
  assert.equal(await balance(), 100, 'nothing ran while held');

  // No reason, or one that shows nothing (a zero-width space), decides nothing.
  await card.getByRole('button', { name: 'Approve' }).click();
  assert.equal(await card.getByRole('alert').textContent(), 'A reason is required.');
  await card.getByTestId('approval-reason').fill('\u200B');
  await card.getByRole('button', { name: 'Approve' }).click();
  await card.getByRole('alert').filter({ hasText: 'reason_required' }).waitFor();
  assert.equal(await balance(), 100);

  await card.getByTestId('approval-reason').fill('checked with the account owner');
  await card.getByRole('button', { name: 'Approve' }).click();
  const run = await psql;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /UPDATE 1/);
  assert.equal(await balance(), 70);
  // Decided, it leaves the inbox (the stream sends the new list).
  await page.getByTestId('inbox-empty').waitFor({ timeout: 10_000 });

  const [request] = await f.gateway.store.approvals.listApprovals({ status: 'approved' });
  assert.ok(request);
  assert.equal(request.votes.at(-1)?.reason, 'checked with the account owner');
  assert.equal(request.votes.at(-1)?.reviewer.subject, 'audrey');
  assert.deepEqual(errors, []);
});
