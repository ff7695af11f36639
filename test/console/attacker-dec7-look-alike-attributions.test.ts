// A reviewer whose name passes for a colleague's, seen after the fact: an admin named `аlice` (its
// first letter the Cyrillic `а`, U+0430) approves bob's access request and his held UPDATE, then
// revokes his grant, all from the console. The approval card, the grants and the session list marked
// such a name since 6 December, but the session timeline (who acted on each event), the grant's
// "revoked … by", the held action's approvers in its payload and the signed-in name in the header
// drew it plain: an auditor reading bob's sessions saw `alice` decide and revoke. Every one of them is
// now drawn through IdentityName and marked. Real gateway, real PostgreSQL (node-postgres through
// Vigil), Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { Browser, Locator, Page } from 'playwright-core';
import { hashToken } from '../../src/identity/config-tokens.js';
import { directClient, type PgFixture, startPgFixture, vigilClient } from '../postgres/pg-gateway.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

/** `alice` with a Cyrillic `а`. */
const IMPOSTOR = '\u0430lice';
const IMPOSTOR_TOKEN = 'tok-impostor-alice-0123456789';

let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startPgFixture(
    'vigil_console_look_alike_attributions',
    { allow: ['group:contractors'], requires_grant: true },
    {},
    {
      identities: [
        ...TEST_IDENTITIES,
        { name: IMPOSTOR, groups: ['ai-eng'], roles: ['admin'], token_sha256: hashToken(IMPOSTOR_TOKEN) },
      ],
      approvals: { poll: '100ms', access_requests: { approvers: ['group:ai-eng'], max_duration: '2h' } },
      policy: {
        rules: [
          {
            name: 'review-writes',
            match: { connections: ['pg'], statement_kinds: ['UPDATE'] },
            action: 'review',
            review: { approvers: ['group:ai-eng'], timeout: '60s' },
          },
        ],
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

async function approveTheCard(page: Page, why: string): Promise<void> {
  const card = page.getByTestId('approval');
  await card.waitFor({ timeout: 30_000 });
  await card.getByTestId('approval-reason').fill(why);
  await card.getByRole('button', { name: 'Approve' }).click();
  await page.getByTestId('inbox-empty').waitFor({ timeout: 30_000 });
}

/** The timeline's entry of `type` (the first, or the one `has` picks), once the page shows it. */
async function entry(page: Page, type: string, has?: Locator): Promise<Locator> {
  const found = page.locator(`[data-testid="event"][data-type="${type}"]`);
  const one = (has ? found.filter({ has }) : found).first();
  await one.waitFor({ state: 'attached', timeout: 30_000 });
  return one;
}

async function assertMarked(where: Locator, what: string): Promise<void> {
  const mark = where.getByTestId('identity-look-alike');
  assert.ok((await mark.count()) >= 1, `${what}: the name is marked`);
  assert.match((await mark.first().textContent()) ?? '', /U\+0430/, `${what}: the mark names U+0430`);
}

test('a look-alike reviewer is marked wherever the console names who decided, revoked or approved', {
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, IMPOSTOR_TOKEN);
  // The header names who is signed in, and marks a name that may pass for another.
  await assertMarked(page.getByTestId('who'), 'the signed-in name');
  await page.goto(`${f.gateway.url}/approvals`);
  await page.getByTestId('inbox-empty').waitFor();

  // bob asks for access; the impostor grants it.
  const asked = await fetch(`${f.gateway.url}/api/access-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.bob}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'pg', duration: '1h', reason: 'fix a note' }),
  });
  assert.equal(asked.status, 201, await asked.clone().text());
  const accessRequest = ((await asked.json()) as { approval: { id: string; sessionId: string } }).approval;
  await approveTheCard(page, 'on call');

  // bob's UPDATE is held; the impostor approves it too, and it runs.
  const client: pg.Client = vigilClient(f, TOKENS.bob, { database: 'vigil', user: 'someone' });
  client.on('error', () => undefined);
  await client.connect();
  const update = client.query("update notes set body = 'fixed' where id = 1");
  await page.getByTestId('approval').locator('[data-complete="true"]').waitFor({ timeout: 30_000 });
  await approveTheCard(page, 'looks right');
  assert.equal((await update).rowCount, 1);

  // The impostor revokes bob's grant: "revoked … by аlice" is marked (and bob, the holder, is not).
  const row = page.getByTestId('grant').filter({ hasText: 'bob' });
  await row.waitFor({ timeout: 30_000 });
  const grantId = (await row.getAttribute('data-id')) ?? '';
  await row.getByRole('button', { name: `Revoke grant ${grantId}` }).click();
  const revoked = page.getByTestId('grants-revoked').locator(`li[data-id="${grantId}"]`);
  await revoked.waitFor();
  assert.match((await revoked.textContent()) ?? '', new RegExp(`by ${IMPOSTOR}`));
  assert.equal(await revoked.getByTestId('identity-look-alike').count(), 1, 'only the revoker is marked');
  await assertMarked(revoked, 'the revoker');
  await client.end().catch(() => undefined);

  // The access request's session: who decided, who granted, who revoked, each marked; bob never.
  await page.goto(`${f.gateway.url}/sessions/${accessRequest.sessionId}`);
  const decided = await entry(page, 'approval.decided');
  await assertMarked(decided.getByTestId('event-actor'), 'the decision, its actor');
  assert.match((await decided.getByTestId('event-attribution').textContent()) ?? '', /^Decided by аlice/);
  await assertMarked(decided.getByTestId('event-attribution'), 'Decided by');
  const granted = await entry(page, 'access.granted');
  assert.match((await granted.getByTestId('event-attribution').textContent()) ?? '', /^Granted by аlice/);
  await assertMarked(granted.getByTestId('event-actor'), 'the grant, its actor');
  const revokedEvent = await entry(page, 'access.revoked');
  assert.match(
    (await revokedEvent.getByTestId('event-attribution').textContent()) ?? '',
    /^Revoked by аlice/,
  );
  await assertMarked(revokedEvent.getByTestId('event-attribution'), 'Revoked by');
  // The grant's holder in the payload is a name too: bob's is drawn as one, unmarked.
  const holder = revokedEvent.getByTestId('identity-name').filter({ hasText: /^bob$/ });
  assert.equal(await holder.count(), 1, "the payload's subject is drawn as a name");
  const requested = await entry(page, 'approval.requested');
  assert.equal(await requested.getByTestId('identity-look-alike').count(), 0, "bob's own entry is unmarked");

  // bob's database session: the held UPDATE ran with the impostor among its approvers.
  const sessions = await f.gateway.store.ledger.listSessions({
    connection: 'pg',
    identity: 'bob',
    limit: 50,
  });
  const dbSession = sessions.find((s) => s.protocol === 'postgres' && s.id !== accessRequest.sessionId);
  assert.ok(dbSession, "bob's database session is listed");
  await page.goto(`${f.gateway.url}/sessions/${dbSession.id}`);
  const ran = await entry(page, 'db.query', page.getByText('approved_by', { exact: true }));
  await assertMarked(ran, 'the approvers of the action that ran');
  assert.equal(await ran.getByTestId('event-actor').getByTestId('identity-look-alike').count(), 0);
  await assertMarked(
    (await entry(page, 'approval.decided')).getByTestId('event-actor'),
    'the held action decided',
  );
  assert.deepEqual(errors, []);
  await page.context().close();
});
