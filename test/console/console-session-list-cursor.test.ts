// The session list pages newest first, then by id. A page went on from `until` = the start time of
// the last session read, strictly before it: every session that started in the same millisecond as
// a page's last one and did not fit on the page was never listed, by the API or in the console
// (a connection pool, concurrent model calls and pgbench -C start many in one millisecond). A page
// now also names its last session (`next_after_id`), and the next starts right after it. Real
// gateway and ledger, the API over HTTP, the console in Chromium. (The API calls are recorded in a
// session of their own: the lists ask for the connection `oa`.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Identity } from '../../src/core/events.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

/** More than one of the console's pages (200), all started in one millisecond. */
const SESSIONS = 250;
const BOB: Identity = { subject: 'bob', kind: 'user', groups: ['contractors'] };
const STARTED = '2030-01-01T00:00:00.000Z';

let gateway: TestGateway;
let browser: Browser | null = null;
const recorded: string[] = [];

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  gateway = await startTestGateway({ connections: [] });
  for (let i = 0; i < SESSIONS; i++) {
    const sessionId = `ses_same_ms_${String(i).padStart(3, '0')}`;
    recorded.push(sessionId);
    await gateway.recorder.append(
      { type: 'llm.request', sessionId, connection: 'oa', identity: BOB, time: STARTED, payload: { i } },
      'llm',
    );
  }
  // One more, a millisecond earlier: the page after the crowd must still reach it.
  recorded.push('ses_earlier');
  await gateway.recorder.append(
    {
      type: 'llm.request',
      sessionId: 'ses_earlier',
      connection: 'oa',
      identity: BOB,
      time: '2029-12-31T23:59:59.999Z',
      payload: {},
    },
    'llm',
  );
  await gateway.recorder.drain();
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

interface SessionPage {
  sessions: { id: string }[];
  next_until: string | null;
  next_after_id: string | null;
}

async function list(
  query: string,
): Promise<{ status: number; body: SessionPage & { error?: { code: string } } }> {
  const res = await fetch(`${gateway.url}/api/sessions?${query}`, {
    headers: { authorization: `Bearer ${TOKENS.bob}` },
  });
  return { status: res.status, body: (await res.json()) as SessionPage & { error?: { code: string } } };
}

test('following next_until and next_after_id lists every session once, in order, however many share a millisecond', async () => {
  const read: string[] = [];
  let page = await list('connection=oa&limit=40');
  for (;;) {
    assert.equal(page.status, 200);
    read.push(...page.body.sessions.map((s) => s.id));
    if (page.body.next_until === null) break;
    assert.equal(page.body.next_after_id, page.body.sessions.at(-1)!.id, 'the page names its last session');
    page = await list(
      `connection=oa&limit=40&until=${encodeURIComponent(page.body.next_until)}&after_id=${page.body.next_after_id}`,
    );
  }
  assert.deepEqual(read, recorded, 'newest first, then by id; none missing, none twice');
});

test('until alone keeps its meaning; after_id without until, or not an id, is a usage error', async () => {
  const strict = await list(`connection=oa&until=${encodeURIComponent(STARTED)}`);
  assert.deepEqual(
    strict.body.sessions.map((s) => s.id),
    ['ses_earlier'],
  );
  for (const query of ['after_id=ses_same_ms_000', `until=${encodeURIComponent(STARTED)}&after_id=a%27b`]) {
    const answer = await list(query);
    assert.equal(answer.status, 400, query);
    assert.equal(answer.body.error?.code, 'usage', query);
  }
});

test('the console lists every session as the reader scrolls to the end', { timeout: 120_000 }, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, gateway.url, TOKENS.bob);
  await page.goto(`${gateway.url}/sessions?connection=oa`);
  const count = page.getByTestId('session-count');
  await count.filter({ hasText: '200 session(s), more as you scroll' }).waitFor();
  // To the end of the list: it asks for the next page near it.
  await page.getByRole('listbox', { name: 'Sessions' }).focus();
  await page.keyboard.press('End');
  // Before 5 December the second page asked for sessions started strictly before the last one's
  // millisecond: the list ended at 200 sessions, the other 51 never shown.
  await count.filter({ hasText: `${SESSIONS + 1} session(s)` }).waitFor({ timeout: 20_000 });
  assert.doesNotMatch((await count.textContent()) ?? '', /more as you scroll/);
  assert.deepEqual(errors, []);
});
