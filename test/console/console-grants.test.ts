// Grants with revoke in the approvals page, in Chromium: a connection that requires a grant; a user
// asks for access, the reviewer (an admin among the approvers) approves it in the live inbox, the
// grant appears among the grants in force, the user's psql-protocol session runs; the reviewer
// revokes the grant from the page, the user's live session is cut at once (recorded as
// access.revoked, grant-revoked), a new session is refused, and the page shows the grant revoked.
// Real gateway, real PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { Browser } from 'playwright-core';
import {
  directClient,
  type PgFixture,
  pgEvents,
  startPgFixture,
  vigilClient,
} from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startPgFixture(
    'vigil_console_grants',
    { allow: ['group:contractors'], requires_grant: true },
    {},
    {
      approvals: {
        poll: '100ms',
        access_requests: { approvers: ['group:ai-eng'], max_duration: '2h' },
      },
    },
  );
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    'create table notes (id int primary key, body text); insert into notes values (1, $$hi$$);',
  );
  await direct.end();
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

async function connectAsBob(): Promise<pg.Client> {
  const client = vigilClient(f, TOKENS.bob, { database: 'vigil', user: 'someone' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

test('a reviewer approves an access request, then revokes the grant in the page; the session is cut', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  await assert.rejects(connectAsBob(), /needs an access grant/);

  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.alice);
  await page.goto(`${f.gateway.url}/approvals`);
  await page.getByTestId('inbox-empty').waitFor();

  const asked = await fetch(`${f.gateway.url}/api/access-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.bob}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'pg', duration: '1h', reason: 'nightly fix of the notes' }),
  });
  assert.equal(asked.status, 201, await asked.clone().text());
  const card = page.getByTestId('approval');
  await card.waitFor({ timeout: 30_000 });
  assert.match((await card.textContent()) ?? '', /Asked by bob .*nightly fix of the notes/);
  await card.getByTestId('approval-reason').fill('on call tonight');
  await card.getByRole('button', { name: 'Approve' }).click();
  await page.getByTestId('inbox-empty').waitFor({ timeout: 30_000 });

  // The grant is in force, listed with Revoke, and lets bob in.
  const row = page.getByTestId('grant').filter({ hasText: 'bob' });
  await row.waitFor({ timeout: 30_000 });
  const grantId = (await row.getAttribute('data-id')) ?? '';
  assert.match(grantId, /^gr_/);
  const client = await connectAsBob();
  assert.equal((await client.query('select body from notes where id = 1')).rows[0].body, 'hi');
  const cut = new Promise<void>((resolve) => client.once('end', () => resolve()));

  await row.getByRole('button', { name: `Revoke grant ${grantId}` }).click();
  const revoked = page.getByTestId('grants-revoked').locator(`li[data-id="${grantId}"]`);
  await revoked.waitFor();
  assert.match((await revoked.textContent()) ?? '', /Revoked: bob's grant on pg .* by alice/);
  await page.getByTestId('grant').filter({ hasText: 'bob' }).waitFor({ state: 'detached' });

  // The live session is cut, recorded as such, and no new one is let in.
  await Promise.race([
    cut,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the session was not cut')), 10_000)),
  ]);
  const events = await pgEvents(f);
  assert.ok(
    events.some(
      (e) =>
        e.type === 'access.revoked' &&
        e.payload?.reason === 'grant-revoked' &&
        e.payload?.grant_id === grantId,
    ),
    'the cut is recorded as access.revoked (grant-revoked)',
  );
  await assert.rejects(connectAsBob(), /needs an access grant/);
  const [grant] = await f.gateway.store.approvals.listGrants({ subject: 'bob' });
  assert.equal(grant?.revokedBy, 'alice');
  assert.deepEqual(errors, []);
});

test("only an admin or the holder may revoke a grant: an auditor's revoke is refused", {
  timeout: 60_000,
}, async () => {
  // The call behind the page's Revoke button, which the page shows only to admins and the holder.
  const [bobs] = await f.gateway.store.approvals.listGrants({ subject: 'bob' });
  assert.ok(bobs, 'the first test made a grant');
  const refused = await fetch(`${f.gateway.url}/api/grants/${bobs.id}/revoke`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(refused.status, 403);
});
