// The web console in Chromium against a real gateway, a real OpenID provider and the stand-in model:
// an auditor signs in through the provider, finds a recorded Tree-of-Thoughts session by searching
// its prompt, opens its tree, follows the outcome path and reads a node; verifies the session and
// downloads its bundle, which `vigil verify --bundle` accepts; recorded markup and script render as
// inert text; and a non-auditor cannot open another identity's session, by the list or by URL.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser, Locator } from 'playwright-core';
import { inertBlock } from '../../src/core/inert-text.js';
import { buildReasoningTree, outcomePath } from '../../src/reasoning/index.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

/** Markup a hostile prompt or model reply might carry; each would act if rendered as HTML. */
const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'; alert(1)">',
  '<a href="javascript:window.__pwned = \'link\'">click me</a> [md](javascript:alert(2))',
  '<svg onload="window.__pwned = \'svg\'"><script>window.__pwned = "svg-script"</script></svg>',
  '<img src="http://evil.invalid/beacon.png"><iframe src="http://evil.invalid/"></iframe>',
  'bidi \u202Eevil\u202C zero\u200Bwidth ansi \u001b[31mred\u001b[0m',
].join('\n');

let model: StubServer;
let provider: TestProvider;
let gateway: TestGateway;
let browser: Browser | null = null;
let totSession = '';
let hostileSession = '';
let sample = 0;

before(async () => {
  model = await startWorkloadModel((request, choice) => {
    const prompt = lastUserText(request);
    if (prompt.includes('HOSTILE'))
      return { content: `Here you go:\n${HOSTILE}`, reasoning: `Thinking about ${HOSTILE}` };
    return { content: game24Reply(prompt, choice * 1000 + sample++) };
  });
  provider = await startTestProvider({ 'ana-sub': { email: 'ana@example.com', groups: ['security'] } });
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  gateway = await startTestGateway({
    identity: {
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      roles: { auditor: ['group:security'] },
    },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  });
  const client = (session: string) =>
    new OpenAI({
      baseURL: `${gateway.url}/c/oa/v1`,
      apiKey: TOKENS.alice,
      maxRetries: 0,
      defaultHeaders: { 'x-vigil-session': session },
    });
  await solveGame24(client('tot-console'), '4 5 6 10', { hints: false });
  await client('hostile-console').chat.completions.create({
    model: 'gpt-4',
    messages: [{ role: 'user', content: `HOSTILE input follows\n${HOSTILE}` }],
  });
  await gateway.recorder.drain();
  totSession = await sessionOf('tot-console');
  hostileSession = await sessionOf('hostile-console');
});

after(async () => {
  await browser?.close();
  await gateway?.close();
  await provider?.close();
  await model?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

async function sessionOf(external: string): Promise<string> {
  for (const s of await gateway.store.ledger.listSessions({ connection: 'oa', limit: 100 })) {
    const [first] = await gateway.store.ledger.readSession(s.id);
    if (first?.payload?.external_session === external) return s.id;
  }
  throw new Error(`no session ${external}`);
}

/** A node's text as the DOM holds it (what React rendered, before any layout). */
async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

async function browserOrSkip(t: import('node:test').TestContext): Promise<Browser | null> {
  browser ??= await launchOrSkip(t);
  return browser;
}

test('an auditor signs in with OIDC, finds the ToT session by its prompt, follows the outcome path and reads a node', {
  timeout: 120_000,
}, async (t) => {
  const b = await browserOrSkip(t);
  if (!b) return;
  const { page, errors } = await watchedPage(b);
  await page.goto(`${gateway.url}/`);
  await page.getByTestId('sso').click();
  await page.getByTestId('who').waitFor();
  assert.match(await textOf(page.getByTestId('who')), /ana@example\.com \(auditor/);
  // The token sits in an HttpOnly cookie: the page's scripts cannot read it.
  assert.equal(await page.evaluate(() => document.cookie.includes('vigil_console=')), false);

  await page.getByTestId('search').fill('Input: 4 5 6 10');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/\/sessions\?search=/);
  const row = page.getByTestId('session-row').filter({ hasText: totSession });
  await row.click();
  await page.waitForURL(`${gateway.url}/sessions/${totSession}`);
  await page.getByTestId('tree-tab').click();
  await page.getByTestId('tree-view').waitFor();

  const events = await gateway.store.ledger.readSession(totSession);
  const tree = buildReasoningTree(events);
  const path = outcomePath(tree);
  assert.ok(tree.nodes.length > 10, `a real ToT tree (${tree.nodes.length} nodes)`);
  assert.equal(await page.getByTestId('path-step').count(), path.steps.length);
  // Follow the path from the root to the outcome; each step opens that node.
  for (const [i, step] of path.steps.entries()) {
    await page.getByTestId('path-step').nth(i).click();
    await page.waitForURL(new RegExp(`node=${encodeURIComponent(step.nodeId)}`));
    assert.equal(
      await page
        .locator(`[data-node="${step.nodeId}"]`)
        .getAttribute('class')
        .then(String)
        .then((c) => c.includes('on-path')),
      true,
    );
  }
  const final = tree.nodes.find((n) => n.id === path.target)!;
  // The URL changes before the panel has the node's detail: read it once the panel names the node.
  await page.getByTestId('node-panel').getByRole('link', { name: final.id, exact: true }).waitFor();
  assert.equal(await textOf(page.getByTestId('node-prompt')), inertBlock(final.prompt));
  assert.equal(await textOf(page.getByTestId('node-response')), inertBlock(final.response));
  assert.equal(
    await page.getByTestId('node-reasoning').count(),
    0,
    'no reasoning shown when the model showed none',
  );

  // A shared URL opens the same node.
  await page.goto(`${gateway.url}/sessions/${totSession}?tab=tree&node=${encodeURIComponent(final.id)}`);
  assert.equal(await textOf(page.getByTestId('node-response')), inertBlock(final.response));
  // Collapsing the root's subtree leaves only the roots drawn.
  await page.locator(`[data-node="${path.steps[0]!.nodeId}"]`).click();
  await page.getByTestId('toggle-subtree').click();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid=tree-view]')?.getAttribute('data-nodes')) < n,
    tree.nodes.length,
  );
  assert.deepEqual(errors, []);

  // Reading the session went through the admin API, which recorded it as audit.viewed.
  await gateway.recorder.drain();
  const viewed = [];
  for (const s of await gateway.store.ledger.listSessions({ connection: 'admin-api', limit: 100 }))
    viewed.push(...(await gateway.store.ledger.readSession(s.id)).filter((e) => e.type === 'audit.viewed'));
  // The session id in these facts is sometimes masked by the gateway's high-entropy detector (an
  // existing behaviour of the admin API's audit record), so only what was read is compared here.
  const facts = viewed
    .filter((e) => e.identity.subject === 'ana@example.com' && e.payload?.via === 'api')
    .map((e) => e.payload?.what);
  assert.ok(
    facts.includes('events') && facts.includes('tree-outline') && facts.includes('tree-node'),
    `audit.viewed: ${JSON.stringify(viewed.map((e) => [e.identity.subject, e.payload]))}`,
  );
});

test('an auditor verifies a session and downloads its bundle; vigil verify --bundle accepts the file', {
  timeout: 120_000,
}, async (t) => {
  const b = await browserOrSkip(t);
  if (!b) return;
  const { page } = await watchedPage(b);
  await signInWithToken(page, gateway.url, TOKENS.audrey);
  await page.goto(`${gateway.url}/sessions/${totSession}`);
  await page.getByTestId('verify').click();
  const result = page.getByTestId('verify-result');
  await result.waitFor();
  assert.equal(await result.getAttribute('data-ok'), 'true', await textOf(result));
  assert.match(await textOf(result), /chain intact, included in checkpoint of size \d+/);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-console-bundle-')), download.suggestedFilename());
  await download.saveAs(file);
  const verified = await runCli(['verify', '--bundle', file]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout + verified.stderr, new RegExp(`bundle intact: session ${totSession}`));
});

test('recorded markup and script render as inert text: nothing runs, nothing is fetched elsewhere', {
  timeout: 120_000,
}, async (t) => {
  const b = await browserOrSkip(t);
  if (!b) return;
  const { page, requests, dialogs, errors } = await watchedPage(b);
  await signInWithToken(page, gateway.url, TOKENS.audrey);
  await page.goto(`${gateway.url}/sessions/${hostileSession}`);
  await page.getByTestId('timeline').waitFor();
  for (const details of await page.locator('details').all())
    await details.evaluate((d) => d.setAttribute('open', ''));
  const text = await textOf(page.getByTestId('timeline'));
  assert.ok(text.includes('<script>window.__pwned = "script"</script>'), 'the script tag is shown as text');
  assert.ok(text.includes('<img src=x onerror='), 'the img tag is shown as text');
  assert.ok(text.includes('\\u{202E}evil\\u{202C}'), 'the bidi override is shown as an escape');
  assert.ok(text.includes('zero\\u{200B}width'), 'the zero-width space is shown as an escape');
  assert.ok(text.includes('\\u{1B}[31mred'), 'the ANSI escape is shown, not acted on');
  assert.ok(!text.includes('\u202E') && !text.includes('\u200B') && !text.includes('\u001b'));

  await page.goto(`${gateway.url}/sessions/${hostileSession}?tab=tree`);
  await page.getByTestId('tree-view').waitFor();
  await page.getByTestId('tree-node').first().click();
  assert.ok((await textOf(page.getByTestId('node-response'))).includes('<svg onload='));
  // The reasoning the model showed is read as inert text too.
  assert.ok((await textOf(page.getByTestId('node-reasoning'))).startsWith('Thinking about <script>'));

  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('main script, main img, main iframe, main svg foreignObject').count(), 0);
  assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
  const elsewhere = requests.filter((u) => !u.startsWith(`${gateway.url}/`));
  assert.deepEqual(elsewhere, [], 'no request left the page for anywhere but the gateway');
  assert.deepEqual(errors, []);
});

test("a non-auditor cannot open another identity's session, by the list or by URL", {
  timeout: 120_000,
}, async (t) => {
  const b = await browserOrSkip(t);
  if (!b) return;
  const { page } = await watchedPage(b);
  await signInWithToken(page, gateway.url, TOKENS.bob);
  assert.match(await textOf(page.getByTestId('who')), /^bob \(user\)/);
  await page.getByTestId('session-count').waitFor();
  await page.waitForFunction(
    () => !document.querySelector('[data-testid=session-count]')?.textContent?.includes('loading'),
  );
  assert.equal(await page.getByTestId('session-row').filter({ hasText: totSession }).count(), 0);

  await page.goto(`${gateway.url}/sessions/${totSession}`);
  const refusal = page.getByTestId('session-error');
  await refusal.waitFor();
  assert.match(await textOf(refusal), /^session_unknown: no session /);
  const api = await page.request.get(`${gateway.url}/api/sessions/${totSession}/tree`);
  assert.equal(api.status(), 404);
  await page.goto(`${gateway.url}/sessions/${totSession}?tab=tree`);
  await refusal.waitFor();
  assert.equal(await page.getByTestId('tree-view').count(), 0);
});

test('the session list works from the keyboard, and the theme toggle switches dark and light', {
  timeout: 120_000,
}, async (t) => {
  const b = await browserOrSkip(t);
  if (!b) return;
  const { page } = await watchedPage(b);
  await signInWithToken(page, gateway.url, TOKENS.bob);
  const rows = page.getByTestId('session-row');
  await rows.first().waitFor();
  const second = (await rows.count()) > 1 ? await rows.nth(1).getAttribute('href') : null;
  await page.getByTestId('virtual-list').focus();
  if (second) await page.keyboard.press('ArrowDown');
  const expected = second ?? (await rows.first().getAttribute('href'));
  await page.keyboard.press('Enter');
  await page.waitForURL(`${gateway.url}${expected}`);
  await page
    .getByText(/^Session s_/)
    .first()
    .waitFor();

  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? 'auto');
  const light = await background();
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  assert.equal(await theme(), 'dark');
  assert.notEqual(await background(), light, 'the dark theme changes the colours');
  await page.reload();
  assert.equal(await theme(), 'dark', 'the choice is remembered');
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  assert.equal(await theme(), 'light');
  assert.equal(await background(), light);
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  assert.equal(await theme(), 'auto');
});
