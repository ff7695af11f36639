// A letter and the combining marks after it are one character to a browser, which never wraps
// inside one. A held statement `… where id = 1 /*a` with 2,000 U+0333 (double low line, drawn with a
// width of its own) before `*/ or true` made a run 15,661 px wide on an approval card 1,222 px wide:
// the clause that mattered lay far to the right, out of view, with Approve below. Marks without a
// width (U+0305) draw over one another: 2,000 look like one. The card now draws at most four marks
// on a letter and counts the rest in a marker. Real gateway, real PostgreSQL, real psql, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type PgFixture, runClient } from '../postgres/pg-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import {
  denyOnCard,
  denyWithoutBrowser,
  heldRequest,
  startReviewedWrites,
} from './support/reviewed-writes.js';

let f: PgFixture;
let browser: Browser | null = null;

before(async () => {
  f = await startReviewedWrites('vigil_console_mark_stacks', ['group:contractors'], [[1, 100]]);
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a run of combining marks is counted on the approval card, and the clause after it stays in view', {
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  for (const mark of ['\u0333', '\u0305']) {
    const sql = `update accounts set balance = 0 where id = 1 /*a${mark.repeat(2000)}*/ or true`;
    const psql = runClient('psql', ['-X', '-A', '-t', '-c', sql], f, TOKENS.alice);
    const record = await heldRequest(f);
    if (browser) {
      const { page, errors } = await watchedPage(browser);
      await signInWithToken(page, f.gateway.url, TOKENS.bob);
      await page.goto(`${f.gateway.url}/approvals`);
      const card = page.getByTestId('approval');
      const statement = card.locator(
        '[data-testid="approval-action"][data-complete="true"] [data-testid="approval-statement"]',
      );
      await statement.waitFor({ timeout: 30_000 });
      const shown = (await statement.textContent()) ?? '';
      assert.ok(shown.endsWith('*/ or true'), 'the end of the statement is on the card');
      const marker = statement.getByTestId('mark-run');
      assert.equal(await marker.count(), 1, 'the run is one marker');
      assert.equal(await marker.getAttribute('data-marks'), '1996');
      assert.match((await marker.textContent()) ?? '', /1996 more combining marks/);
      const drawn = shown.replace((await marker.textContent()) ?? '', '');
      assert.doesNotMatch(drawn, /\p{M}{5}/u, 'no letter carries more than four marks');
      // The whole statement fits the card's width: the end of it is in view.
      const { scroll, client } = await statement.evaluate((el) => ({
        scroll: el.scrollWidth,
        client: el.clientWidth,
      }));
      assert.ok(scroll <= client + 1, `the statement is ${scroll} px wide in a card of ${client} px`);
      await denyOnCard(page, card, 'hidden clause');
      assert.deepEqual(errors, []);
      await page.context().close();
    } else {
      await denyWithoutBrowser(f, record);
    }
    assert.notEqual((await psql).code, 0, 'a denied statement does not run');
  }
});
