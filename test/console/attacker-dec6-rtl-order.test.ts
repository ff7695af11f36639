// A browser lays out right-to-left letters from the right, and with them every digit, space and
// operator between two of them, no bidi control needed (the console shows those as escapes, but
// a Hebrew or Arabic letter is ordinary text). A held `update accounts set balance = /*א*/ 100 -
// 5000 /*ב*/ where id = 1` read `… = /*ב*/ 5000 - 100 /*א*/ …` on the approval card: the reviewer
// saw 4,900 where -4,900 would be written, and psql in the requester's terminal showed the
// statement in the order typed. Recorded text is now drawn in the order recorded, each run of
// right-to-left letters isolated (and drawn right to left inside). Real gateway, real PostgreSQL,
// real psql, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { directClient, type PgFixture, runClient } from '../postgres/pg-gateway.js';
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

/** The same statement between Hebrew letters and between Arabic ones (Arabic letters also turn digits into Arabic numbers). */
const STATEMENTS = [
  'update accounts set balance = /*א*/ 100 - 5000 /*ב*/ where id = 1',
  'update accounts set balance = /*ا*/ 100 - 5000 /*ب*/ where id = 1',
];

before(async () => {
  f = await startReviewedWrites('vigil_console_rtl_order', ['group:contractors'], [[1, 100]]);
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

/** Where the first character of `needle` is drawn, from the left, in the element's text. */
function drawnAt(element: Locator, needle: string): Promise<number | null> {
  return element.evaluate((el, needle) => {
    let at = (el.textContent ?? '').indexOf(needle);
    if (at === -1) return null;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = node.textContent?.length ?? 0;
      if (at < length) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        return range.getBoundingClientRect().x;
      }
      at -= length;
    }
    return null;
  }, needle);
}

test('digits and operators between right-to-left letters are drawn on the approval card in the order they run', {
  timeout: 180_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  for (const sql of STATEMENTS) {
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
      assert.equal(await statement.textContent(), sql, 'the statement is on the card as recorded');
      // Left to right as psql sent it: `100`, then `-`, then `5000`, then `where`.
      const xs = await Promise.all(
        ['= /*', ' 100 ', ' - ', ' 5000 ', ' where'].map((n) => drawnAt(statement, n)),
      );
      assert.ok(
        xs.every((x, i) => x !== null && (i === 0 || x > xs[i - 1]!)),
        `${sql}: drawn in the order it runs (${xs.join(', ')})`,
      );
      await denyOnCard(page, card, 'not the amount it shows');
      assert.deepEqual(errors, []);
      await page.context().close();
    } else {
      await denyWithoutBrowser(f, record);
    }
    assert.notEqual((await psql).code, 0, 'a denied statement does not run');
  }
  const direct = directClient(f);
  await direct.connect();
  try {
    assert.deepEqual((await direct.query('select balance from accounts')).rows, [{ balance: 100 }]);
  } finally {
    await direct.end();
  }
});
