// The console's timeline reads a session through GET /api/sessions/:id/events, which read the
// whole session, payloads and all, on the gateway's event loop and answered it in one body: any
// user could stall every session by reading a long one of their own, in a loop. The route now
// answers one page at a time (`after_seq`, `limit`, at most 500 events, `next_after_seq` while more
// remain), and the timeline reads it page by page. Real gateway, real PostgreSQL, a real client
// making a session longer than a page, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { StoredEvent } from '../../src/core/events.js';
import { type PgFixture, startPgFixture, vigilClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

let f: PgFixture;
let sessionId = '';
let whole: StoredEvent[] = [];
let browser: Browser | null = null;

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  f = await startPgFixture('vigil_console_session_pages');
  const client = vigilClient(f);
  await client.connect();
  // Each statement records at least its query and its result: well over one 500-event page.
  for (let i = 0; i < 300; i++) await client.query(`select ${i} as n`);
  await client.end();
  await f.gateway.recorder.drain();
  const [session] = await f.gateway.store.ledger.listSessions({ connection: 'pg' });
  sessionId = session!.id;
  whole = await f.gateway.store.ledger.readSession(sessionId);
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

interface EventsAnswer {
  session: { id: string };
  events: StoredEvent[];
  next_after_seq: number | null;
}

async function events(query: string, token = TOKENS.alice) {
  const res = await fetch(`${f.gateway.url}/api/sessions/${sessionId}/events${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as EventsAnswer & { error?: { code: string } } };
}

test('a session longer than a page comes back in pages whose union is the whole session, in order', {
  timeout: 120_000,
}, async () => {
  assert.ok(whole.length > 600, `the session holds ${whole.length} events, more than a page`);

  // No parameters: the first 500, and where to go on.
  const first = await events('');
  assert.equal(first.status, 200);
  assert.equal(first.body.session.id, sessionId);
  assert.equal(first.body.events.length, 500);
  assert.equal(first.body.next_after_seq, first.body.events.at(-1)!.seq);

  // Followed to the end with a smaller limit: never more than asked, nothing missing or repeated.
  const read: StoredEvent[] = [];
  let after: number | null = -1;
  let calls = 0;
  while (after !== null) {
    const page = await events(`?after_seq=${after}&limit=150`);
    assert.equal(page.status, 200);
    assert.ok(page.body.events.length >= 1 && page.body.events.length <= 150);
    read.push(...page.body.events);
    after = page.body.next_after_seq;
    assert.ok(++calls <= whole.length, 'every page moves on');
  }
  assert.equal(calls, Math.ceil(whole.length / 150));
  assert.deepEqual(
    read.map((e) => [e.seq, e.hash]),
    whole.map((e) => [e.seq, e.hash]),
  );
});

test('a single call never answers more than 500 events, whatever limit it asks for', async () => {
  const asked = await events('?limit=100000');
  assert.equal(asked.status, 200);
  assert.equal(asked.body.events.length, 500);
  assert.notEqual(asked.body.next_after_seq, null);
});

test('a page parameter that is not a number is refused with a stable code, and reads nothing', async () => {
  for (const query of [
    '?limit=0',
    '?limit=-3',
    '?limit=abc',
    '?after_seq=-2',
    '?after_seq=1e3',
    '?after_seq=x',
  ]) {
    const answer = await events(query);
    assert.equal(answer.status, 400, query);
    assert.equal(answer.body.error?.code, 'usage', query);
  }
});

test('another user still cannot read the session, page or no page', async () => {
  assert.equal((await events('?after_seq=10&limit=5', TOKENS.bob)).status, 404);
});

test('the timeline reads the session page by page, up to an event named in the URL on a later page', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  // Each answer's length, read as it arrives (awaited before counting).
  const answers: Promise<number>[] = [];
  page.on('response', (res) => {
    if (!new URL(res.url()).pathname.endsWith(`/api/sessions/${sessionId}/events`)) return;
    answers.push(res.json().then((body) => (body as EventsAnswer).events.length));
  });
  await signInWithToken(page, f.gateway.url, TOKENS.alice);
  const last = whole.at(-1)!.seq;
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?event=${last}`);
  const selected = page.locator('[data-testid="event"].selected');
  await selected.waitFor({ timeout: 30_000 });
  assert.equal(await selected.getByRole('link').getAttribute('aria-label'), `Event ${last}`);
  await page.getByTestId('timeline-loading').waitFor({ state: 'detached', timeout: 30_000 });
  // A result's line names its command tag as the database payloads spell it (db-payloads.ts).
  assert.match(await page.getByTestId('timeline').innerText(), /1 row\(s\) · SELECT 1/);
  const answered = await Promise.all(answers);
  assert.equal(answered.length, Math.ceil(whole.length / 500));
  assert.ok(answered.every((n) => n <= 500));
  assert.equal(
    answered.reduce((a, b) => a + b, 0),
    whole.length,
  );
  assert.deepEqual(errors, []);
});
