// The approvals page offers Revoke on the grants the signed-in holder may give back. The user
// `deploy` (an auditor: they see every grant) and the service account `deploy` (made as `vigil token
// create --service-account deploy` makes it) share a subject and are two holders: the user is
// offered Revoke on their own grant, not on the service account's (the server refuses it anyway).
// In Chromium; real gateway, real PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { type PgFixture, startPgFixture } from '../postgres/pg-gateway.js';
import { approvedGrant } from '../support/access-requests.js';
import { TEST_IDENTITIES } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

const USER_DEPLOY = 'tok-deploy-user-0123456789';
let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startPgFixture(
    'vigil_console_grants_namesake',
    { allow: ['user:deploy', 'service:deploy'], requires_grant: true },
    {},
    {
      identities: [
        ...TEST_IDENTITIES,
        { name: 'deploy', groups: [], roles: ['user', 'auditor'], token_sha256: hashToken(USER_DEPLOY) },
      ],
      approvals: { poll: '100ms', access_requests: { approvers: ['group:ai-eng'], max_duration: '2h' } },
    },
  );
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

/** An access request by `token`, approved by alice; the grant's id. */
const grantTo = (token: string) => approvedGrant(f.gateway, token);

test("the user deploy is offered Revoke on their own grant, not on the service account deploy's", {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const serviceDeploy = (
    await createServiceToken(f.gateway.store.access, {
      name: 'deploy',
      connections: ['pg'],
      ttlMs: 3_600_000,
    })
  ).token;
  const theirs = await grantTo(serviceDeploy);
  const mine = await grantTo(USER_DEPLOY);

  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, USER_DEPLOY);
  await page.goto(`${f.gateway.url}/approvals`);
  const row = (id: string) => page.locator(`[data-testid="grant"][data-id="${id}"]`);
  await row(mine).waitFor({ timeout: 10_000 });
  await row(theirs).waitFor({ timeout: 10_000 });
  assert.equal(await row(mine).getByRole('button', { name: 'Revoke' }).count(), 1);
  assert.equal(
    await row(theirs).getByRole('button', { name: 'Revoke' }).count(),
    0,
    "no Revoke on the service account's grant",
  );
  assert.deepEqual(errors, []);
});
