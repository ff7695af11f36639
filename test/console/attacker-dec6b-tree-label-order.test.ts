// The short labels the reasoning tree draws beside its nodes are recorded text too. A browser lays
// out right-to-left letters from the right, and with them the digits and operators between two of
// them: a model turn that read `= א 100 - 5000 ב` was labelled `= ב 5000 - 100 א` (the reviewer of a turn read 4,900 where -4,900 was written) beside its node,
// while the node's panel (drawn in the order recorded since the right-to-left runs were isolated)
// showed it as written. The labels are now drawn in the order recorded too, each run of
// right-to-left letters isolated. Real gateway, the demo model scripted, the OpenAI SDK, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import type { DemoModel } from '../../src/demo-model/index.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { startScriptedModelGateway } from './support/scripted-model.js';

/** The same turn between Hebrew letters and between Arabic ones. */
const REPLIES = ['= אב 100 - 5000 ג', '= اب 100 - 5000 ت'];

let model: DemoModel;
let gateway: TestGateway;
let browser: Browser | null = null;

before(async () => {
  ({ model, gateway } = await startScriptedModelGateway(
    'vigil-tree-label-',
    REPLIES.map((text, i) => ({ match: { last_user: `turn ${i}` }, reply: { text } })),
  ));
});
after(async () => {
  await browser?.close();
  await gateway?.close();
  await model?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a tree node label between right-to-left letters is drawn in the order recorded', {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, gateway.url, TOKENS.audrey);
  for (const [i, reply] of REPLIES.entries()) {
    const before = new Set((await gateway.store.ledger.listSessions({ connection: 'oa' })).map((s) => s.id));
    // One session per turn (its own `x-vigil-session`), so each tree holds the one turn.
    const answer = await client.chat.completions.create(
      { model: 'demo', messages: [{ role: 'user', content: `turn ${i}` }] },
      { headers: { 'x-vigil-session': `tree-label-${i}` } },
    );
    assert.equal(answer.choices[0]?.message.content, reply);
    await gateway.recorder.drain();
    const session = (await gateway.store.ledger.listSessions({ connection: 'oa' })).find(
      (s) => !before.has(s.id),
    );
    assert.ok(session, 'the turn is a session of its own');
    await page.goto(`${gateway.url}/sessions/${session.id}?tab=tree`);
    await page.getByTestId('tree-view').waitFor({ timeout: 30_000 });
    await page.getByTestId('tree-node').first().click();
    const label = page.locator('[data-testid="tree-node"] text').first();
    await label.waitFor({ timeout: 10_000 });
    assert.equal(await label.textContent(), reply, 'the label is the turn as recorded');
    // Left to right as the model wrote it: `=`, `100`, `-`, `5000`.
    const xs = await label.evaluate(
      (el, needles) => {
        const text = el as SVGTextElement;
        const all = text.textContent ?? '';
        return needles.map((n) => text.getStartPositionOfChar(all.indexOf(n)).x);
      },
      ['=', '100', '-', '5000'],
    );
    assert.ok(
      xs.every((x, k) => k === 0 || x > xs[k - 1]!),
      `${reply}: drawn in the order recorded (${xs.join(', ')})`,
    );
    // A word of right-to-left letters is still drawn as its readers write it, from the right.
    const [first, second] = await label.evaluate((el) =>
      [2, 3].map((k) => (el as SVGTextElement).getStartPositionOfChar(k).x),
    );
    assert.ok(first! > second!, `${reply}: the right-to-left word is drawn right to left`);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});
