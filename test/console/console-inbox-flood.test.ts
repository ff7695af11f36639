// A flood of cheap requests must not hide the ones that matter from reviewers. The store answers the
// newest 200 requests and visibility is judged after: 200 access requests by any signed-in user
// (one API call each) pushed a break-glass review out of every reviewer's inbox, list and stream
// alike, with nothing on the page to say so. Each kind is now read on its own, and the inbox says
// when a kind filled its page. Real gateway; Chromium for the page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

let gateway: TestGateway;
let browser: Browser | null = null;

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  gateway = await startTestGateway({
    connections: [{ name: 'oa', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['*'] }],
    approvals: {
      access_requests: { approvers: ['group:security'] },
      break_glass: { allowed: ['group:security'] },
    },
  });
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

async function call(token: string, method: string, path: string, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The first list the inbox stream sends. */
async function firstStreamed(token: string): Promise<{ approvals: { id: string }[]; truncated?: boolean }> {
  const controller = new AbortController();
  const res = await fetch(`${gateway.url}/api/approvals/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    const { value } = await reader.read();
    text += new TextDecoder().decode(value);
    const m = /event: approvals\ndata: (.*)\n\n/.exec(text);
    if (m) {
      controller.abort();
      return JSON.parse(m[1]!);
    }
  }
}

test('200 access requests by one user do not push a break-glass review out of the inbox', {
  timeout: 120_000,
}, async (t) => {
  const glass = await call(TOKENS.audrey, 'POST', '/api/break-glass', {
    connection: 'oa',
    duration: '10m',
    reason: 'prod incident',
  });
  assert.equal(glass.status, 201, JSON.stringify(glass.body));
  const reviewId = (glass.body.review as { id: string }).id;
  for (let i = 0; i < 200; i++) {
    const flood = await call(TOKENS.bob, 'POST', '/api/access-requests', {
      connection: 'oa',
      duration: '1h',
      reason: `request ${i}`,
    });
    assert.equal(flood.status, 201);
  }

  const listed = await call(TOKENS.alice, 'GET', '/api/approvals');
  const ids = (listed.body.approvals as { id: string }[]).map((a) => a.id);
  assert.ok(ids.includes(reviewId), 'the break-glass review is listed');
  assert.equal(listed.body.truncated, true, 'the list says a kind filled its page');

  const streamed = await firstStreamed(TOKENS.alice);
  assert.ok(
    streamed.approvals.some((a) => a.id === reviewId),
    'and streamed',
  );
  assert.equal(streamed.truncated, true);

  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, gateway.url, TOKENS.alice);
  await page.goto(`${gateway.url}/approvals`);
  await page.getByTestId('inbox-truncated').waitFor({ timeout: 10_000 });
  await page.locator(`[data-testid="approval"][data-id="${reviewId}"]`).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
});
