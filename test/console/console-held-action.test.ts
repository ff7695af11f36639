// A reviewer approves what will run, all of it. An approval request carries a one-line summary of
// its held action, cut at 400 characters; a requester who pads a statement past that point
// (`... where id = 1 /* 400 characters */ or true`) showed reviewers a harmless beginning, and a
// reviewer who is neither admin nor auditor cannot read the requester's session to see the rest.
// The console now reads the whole action from the ledger (GET
// /api/sessions/:session/approvals/:approval/action) for whoever may see the request, and keeps
// Approve disabled until it is shown. Real gateway, real PostgreSQL, real psql, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { directClient, type PgFixture, runClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import {
  denyOnCard,
  denyWithoutBrowser,
  heldRequest,
  startReviewedWrites,
} from './support/reviewed-writes.js';

let f: PgFixture;
let browser: Browser | null = null;

// 420 characters of comment push the clause that matters past the summary's 400.
const PADDED = `update accounts set balance = 0 where id = 1 /* ${'routine tidy-up '.repeat(27)} */ or true`;

before(async () => {
  // bob is a plain user: he may decide the request but not read alice's session.
  f = await startReviewedWrites(
    'vigil_console_held_action',
    ['group:contractors'],
    [
      [1, 100],
      [2, 200],
    ],
  );
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

async function api(token: string, path: string) {
  const res = await fetch(f.gateway.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('a reviewer who may not read the session still sees the whole held statement, not its 400-character summary', {
  timeout: 120_000,
}, async (t) => {
  const psql = runClient('psql', ['-X', '-A', '-t', '-c', PADDED], f, TOKENS.alice);
  const record = await heldRequest(f);
  const summary = String(record.subject.summary);
  assert.ok(!summary.includes('or true'), 'the summary hides the end of the statement (the premise)');
  // bob may decide the request, yet may not read alice's session.
  assert.equal((await api(TOKENS.bob, `/api/sessions/${record.sessionId}/events`)).status, 404);

  const path = `/api/sessions/${record.sessionId}/approvals/${record.id}/action`;
  const shown = await api(TOKENS.bob, path);
  assert.equal(shown.status, 200, JSON.stringify(shown.body));
  assert.equal((shown.body.action as { statement?: string }).statement, PADDED);

  // Whoever may not see the request learns nothing: a service token outside the approvers, an id
  // that names no request in the session.
  const stranger = await api(TOKENS.etl, path);
  assert.equal(stranger.status, 404);
  assert.equal((stranger.body.error as { code: string }).code, 'approval_unknown');
  const guessed = await api(TOKENS.bob, `/api/sessions/${record.sessionId}/approvals/ap_guessed/action`);
  assert.equal(guessed.status, 404);

  // Reading it is recorded.
  await f.gateway.recorder.drain();
  const [adminSession] = await f.gateway.store.ledger.listSessions({
    identity: 'bob',
    connection: 'admin-api',
  });
  assert.ok(adminSession);
  const viewed = (await f.gateway.store.ledger.readSession(adminSession.id)).filter(
    (e) => e.type === 'audit.viewed' && e.payload?.what === 'held-action',
  );
  assert.equal(viewed.length, 1);
  assert.equal(viewed[0]!.payload?.approval, record.id);

  browser = await launchOrSkip(t);
  if (browser) {
    const { page, errors } = await watchedPage(browser);
    await signInWithToken(page, f.gateway.url, TOKENS.bob);
    await page.goto(`${f.gateway.url}/approvals`);
    const card = page.getByTestId('approval');
    await card.waitFor({ timeout: 30_000 });
    const statement = card.locator(
      '[data-testid="approval-action"][data-complete="true"] [data-testid="approval-statement"]',
    );
    await statement.waitFor({ timeout: 10_000 });
    assert.equal(await statement.textContent(), PADDED);
    assert.equal(await card.getByRole('button', { name: 'Approve' }).isEnabled(), true);
    await denyOnCard(page, card, 'this would touch every account');
    assert.deepEqual(errors, []);
  } else {
    await denyWithoutBrowser(f, record);
  }
  const run = await psql;
  assert.notEqual(run.code, 0, 'a denied statement does not run');
  const direct = directClient(f);
  await direct.connect();
  try {
    assert.deepEqual((await direct.query('select balance from accounts order by id')).rows, [
      { balance: 100 },
      { balance: 200 },
    ]);
  } finally {
    await direct.end();
  }
});
