// Signing out of the console cleared its cookie, but every admin API answer the console had read (a
// session's events, with the prompts and replies recorded in it; the session list; who was signed
// in) was left in the browser's HTTP cache: no answer said `no-store`. On a shared machine the next
// person at the browser, signed out, read them back with `fetch(url, {cache: 'only-if-cached'})` (or
// from the cache on disk). The admin API now answers `cache-control: no-store`, and sign-out also
// answers `clear-site-data: "cache"`, for what an older gateway let the browser keep. Real gateway,
// the demo model, the OpenAI SDK, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import type { DemoModel } from '../../src/demo-model/index.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { startScriptedModelGateway } from './support/scripted-model.js';

const PROMPT = 'quarterly-figures-before-release';
const REPLY = 'the figures are in the drawer';

let model: DemoModel;
let gateway: TestGateway;
let browser: Browser | null = null;

before(async () => {
  ({ model, gateway } = await startScriptedModelGateway('vigil-cached-sign-out-', [
    { match: { last_user: PROMPT }, reply: { text: REPLY } },
  ]));
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  await model?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('after sign-out, nothing the console read can be read back from the browser cache', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const answer = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: PROMPT }],
  });
  assert.equal(answer.choices[0]?.message.content, REPLY);
  await gateway.recorder.drain();
  const [session] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  assert.ok(session);

  const { page, requests, errors } = await watchedPage(browser);
  await signInWithToken(page, gateway.url, TOKENS.alice);
  await page.goto(`${gateway.url}/sessions/${session.id}`);
  await page.getByText(PROMPT).first().waitFor({ timeout: 30_000 });
  await page.goto(`${gateway.url}/sessions`);
  await page.getByTestId('session-row').first().waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#token').waitFor({ timeout: 10_000 });

  const read = [...new Set(requests.filter((u) => new URL(u).pathname.startsWith('/api/')))];
  assert.ok(
    read.some((u) => u.includes('/events')),
    `the console read the session's events: ${read.join(' ')}`,
  );
  // The next person at this browser: no cookie any more, only what the cache kept.
  const cached = await page.evaluate(async (urls) => {
    const found: string[] = [];
    for (const url of urls) {
      try {
        const res = await fetch(url, { cache: 'only-if-cached', mode: 'same-origin' });
        if (res.ok) found.push(`${new URL(url).pathname}: ${(await res.text()).slice(0, 200)}`);
      } catch {
        // Not in the cache: what should happen.
      }
    }
    return found;
  }, read);
  assert.deepEqual(cached, [], 'no admin API answer is read back from the cache after sign-out');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('every admin API answer, a refusal included, says no-store and nosniff; sign-out clears the cache', async () => {
  const bearer = { authorization: `Bearer ${TOKENS.bob}` };
  const [session] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  for (const path of ['/api/whoami', '/api/sessions', `/api/sessions/${session!.id}`, '/api/tokens']) {
    const res = await fetch(`${gateway.url}${path}`, { headers: bearer });
    await res.arrayBuffer();
    // bob reads his own list; alice's session and the tokens are refused him, and say no-store too.
    assert.equal(res.headers.get('cache-control'), 'no-store', `${path} (${res.status})`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${path} (${res.status})`);
  }
  const out = await fetch(`${gateway.url}/auth/console/signout`, {
    method: 'POST',
    headers: { 'x-vigil-console': '1', cookie: `vigil_console=${TOKENS.bob}` },
  });
  assert.equal(out.status, 200);
  assert.equal(out.headers.get('clear-site-data'), '"cache"');
});
