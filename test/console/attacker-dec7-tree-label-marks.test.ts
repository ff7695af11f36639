// The short label the reasoning tree draws beside a node is cut to 28 characters, and a letter with
// its combining marks is one character to nobody but the cut: a model turn of `A` and 60 U+0333
// was labelled `A` with 26 marks stacked on it (and the same as the node's tooltip), drawn over the
// siblings below it, while the node's panel and the timeline keep four and count the rest. The label
// now keeps four marks on a letter and counts the rest too. Real gateway, the demo model scripted,
// the OpenAI SDK, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import type { DemoModel } from '../../src/demo-model/index.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { startScriptedModelGateway } from './support/scripted-model.js';

const REPLY = `A${'\u0333'.repeat(60)} then the rest`;
/** A letter carrying more than four combining marks. */
const STACK = /\p{L}\p{M}{5}/u;

let model: DemoModel;
let gateway: TestGateway;
let browser: Browser | null = null;

before(async () => {
  ({ model, gateway } = await startScriptedModelGateway('vigil-tree-marks-', [
    { match: { last_user: 'stack' }, reply: { text: REPLY } },
  ]));
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  await model?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a tree node label keeps four combining marks on a letter and counts the rest', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const answer = await client.chat.completions.create(
    { model: 'demo', messages: [{ role: 'user', content: 'stack' }] },
    { headers: { 'x-vigil-session': 'tree-label-marks' } },
  );
  assert.equal(answer.choices[0]?.message.content, REPLY, 'the model replied with the stack');
  await gateway.recorder.drain();
  const [session] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  assert.ok(session);

  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, gateway.url, TOKENS.audrey);
  await page.goto(`${gateway.url}/sessions/${session.id}?tab=tree`);
  await page.getByTestId('tree-view').waitFor({ timeout: 30_000 });
  const node = page.getByTestId('tree-node').first();
  await node.click();
  const label = node.locator('text').first();
  await label.waitFor({ timeout: 10_000 });
  const drawn = (await label.textContent()) ?? '';
  assert.doesNotMatch(
    drawn,
    STACK,
    `the label keeps at most four marks on a letter: ${JSON.stringify(drawn)}`,
  );
  assert.match(drawn, /^A\u0333{4}⟪56 marks⟫/, 'the rest of the run is counted');
  const tooltip = (await node.locator('title').textContent()) ?? '';
  assert.doesNotMatch(tooltip, STACK, 'the tooltip too');
  // The panel, as before: four marks and a marker counting the rest.
  assert.equal(
    await page.getByTestId('node-response').getByTestId('mark-run').getAttribute('data-marks'),
    '56',
  );
  assert.deepEqual(errors, []);
  await page.context().close();
});
