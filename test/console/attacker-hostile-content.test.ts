// What a reviewer reads on an approval card is all of what runs. The requester writes the held
// statement, and blank characters draw nothing: `… where id = 1` followed by 300 line feeds (or
// thousands of no-break or ideographic spaces, which wrap into as many empty lines) and `or true`
// showed a harmless beginning in a card whose held action scrolled inside a box of 40% of the window
// (no scroll bar is drawn on many systems until one scrolls): the clause that mattered was out of
// sight, and Approve was right there. The card now never clips the action, and a long run of blank
// characters is shown as a marker that counts it. Real gateway, real PostgreSQL, real psql, Chromium.
//
// Keys are recorded text too: a held model request's body may carry any field, and the action's
// key/value grid gave its key column the width of the longest key, so a 3,000-character key ran over
// its own value (`delete the production database` drawn under a line of k's) and pushed the page
// 40,000 px wide. Keys now wrap in a capped column. Real gateway, the demo model, the openai wire.
//
// The card shows the action masked, and what runs is the action as sent: a mask stands for whatever
// its rule matched, which may be more than a secret. A private key's header in a line comment was
// masked together with the next line (` or true`), so the card read `… where id = 1 -- [MASKED:…]`
// and the approved statement updated every row (the masker's rule is reported, not fixed, here). The
// card now says when the action holds masked parts and what that means for the reviewer.
//
// A terminal shows characters in the order they came; the browser drawing the player's lines obeyed
// bidi overrides in them, so `A<U+202E>evil-txt.exe` played back as `Aexe.txt-live` and a line typed
// as `echo 'safe <U+202E>echo gnorw'` as `echo 'safe wrong ohce'`. The player now gets the recording
// without explicit bidi controls (word joiners in their place). A hyperlink (OSC 8, javascript:) and
// a clipboard write (OSC 52) printed by the host stay text. Real OpenSSH through Vigil, Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { startDemoModel } from '../../src/demo-model/index.js';
import { directClient, type PgFixture, runClient } from '../postgres/pg-gateway.js';
import { startSshFixture } from '../ssh/ssh-fixture.js';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { denyOnCard, denyWithoutBrowser, startReviewedWrites } from './support/reviewed-writes.js';
import { SET_PROMPT, SHELL_PROMPT, typeInShell } from './support/ssh-shell.js';

let f: PgFixture;
let browser: Browser | null = null;

/** The clause that matters, after padding that draws nothing (inside a comment, so the statement is valid SQL). */
const PADDINGS = {
  'line feeds': '\n'.repeat(300),
  'no-break spaces': '\u00A0'.repeat(20_000),
  'ideographic spaces': '\u3000'.repeat(8_000),
  'blank lines of spaces': ' \n'.repeat(300),
} as const;
const statementWith = (padding: string) =>
  `update accounts set balance = 0 where id = 1 /*${padding}*/ or true`;

before(async () => {
  f = await startReviewedWrites(
    'vigil_console_attacker',
    ['group:contractors'],
    [
      [1, 100],
      [2, 200],
    ],
  );
});
after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

/** The pending request, or a failure naming the client's output if the statement was not held. */
async function pending(
  run: Promise<{ code: number | null; stdout: string; stderr: string }>,
): Promise<ApprovalRecord> {
  let ended: string | null = null;
  void run.then((r) => {
    ended = `psql ended (${r.code}) without being held: ${r.stdout}${r.stderr}`;
  });
  for (;;) {
    const [record] = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    if (record) return record;
    if (ended) throw new Error(ended);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The element's box, and whether some ancestor up to `stop` clips part of it (a scroll box, overflow hidden). */
async function clipping(element: Locator): Promise<{ height: number; clippedBy: string | null }> {
  return element.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const card = el.closest('[data-testid="approval"]');
    for (let p = el.parentElement; p && p !== card?.parentElement; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const outer = p.getBoundingClientRect();
      if (box.top < outer.top - 1 || box.bottom > outer.bottom + 1 || box.right > outer.right + 1)
        return { height: box.height, clippedBy: `${p.tagName}.${p.className}` };
    }
    return { height: box.height, clippedBy: null };
  });
}

test('blank padding cannot push the end of a held statement out of a reviewer’s sight', {
  timeout: 240_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  for (const [name, padding] of Object.entries(PADDINGS)) {
    const sql = statementWith(padding);
    const psql = runClient('psql', ['-X', '-A', '-t', '-c', sql], f, TOKENS.alice);
    const record = await pending(psql);
    if (browser) {
      const { page, errors } = await watchedPage(browser);
      await page.setViewportSize({ width: 1280, height: 900 });
      await signInWithToken(page, f.gateway.url, TOKENS.bob);
      await page.goto(`${f.gateway.url}/approvals`);
      const card = page.getByTestId('approval');
      const statement = card.locator(
        '[data-testid="approval-action"][data-complete="true"] [data-testid="approval-statement"]',
      );
      await statement.waitFor({ timeout: 30_000 });
      const shown = (await statement.textContent()) ?? '';
      assert.ok(shown.startsWith('update accounts set balance = 0 where id = 1 /*'), name);
      assert.ok(shown.endsWith('*/ or true'), `${name}: the end of the statement is on the card`);
      // Nothing clips the statement, and the run is counted, not drawn: the whole of it fits in a few lines.
      const { height, clippedBy } = await clipping(statement);
      assert.equal(clippedBy, null, `${name}: no box around the statement hides part of it`);
      assert.ok(height < 200, `${name}: the statement takes ${height} px, not a screenful of blank`);
      const marker = statement.getByTestId('blank-run');
      assert.equal(await marker.count(), 1, `${name}: the padding is one marker`);
      const lines = padding.split('\n').length - 1;
      assert.equal(await marker.getAttribute('data-lines'), String(lines), name);
      assert.match(
        (await marker.textContent()) ?? '',
        new RegExp(`${[...padding].length - lines} blank|${lines} line`),
      );
      // Approve comes after the whole action: whoever reaches the button has passed the end of it.
      const approve = card.getByRole('button', { name: 'Approve' });
      const end = await statement.evaluate((el) => el.getBoundingClientRect().bottom);
      const button = await approve.evaluate((el) => el.getBoundingClientRect().top);
      assert.ok(end < button, name);
      await page.screenshot({ path: `/tmp/atk/${name.replaceAll(' ', '-')}.png`, fullPage: true });
      await denyOnCard(page, card, 'this would touch every account');
      assert.deepEqual(errors, []);
      await page.context().close();
    } else {
      await denyWithoutBrowser(f, record);
    }
    const run = await psql;
    assert.notEqual(run.code, 0, `${name}: a denied statement does not run`);
  }
  const direct = directClient(f);
  await direct.connect();
  try {
    assert.deepEqual((await direct.query('select balance from accounts order by id')).rows, [
      { balance: 100 },
      { balance: 200 },
    ]);
  } finally {
    await direct.end();
  }
});

test('a long key in a held model request cannot cover its value or push it out of view', {
  timeout: 120_000,
}, async (t) => {
  const b = browser ?? (await launchOrSkip(t));
  if (!b) return;
  browser = b;
  process.env.VIGIL_TEST_ATTACKER_CONSOLE_KEY = 'sk-upstream-attacker-console-0004';
  const model = await startDemoModel({ apiKey: process.env.VIGIL_TEST_ATTACKER_CONSOLE_KEY });
  const gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_ATTACKER_CONSOLE_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [
        {
          name: 'review-production-prompts',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          reason: 'prompts about production are reviewed',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
  });
  const VALUE = 'and delete the production database';
  const held = fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'demo',
      messages: [{ role: 'user', content: 'list the production pods' }],
      ['k'.repeat(3000)]: VALUE,
    }),
  });
  try {
    const { page, errors } = await watchedPage(b);
    await page.setViewportSize({ width: 1280, height: 900 });
    await signInWithToken(page, gateway.url, TOKENS.audrey);
    await page.goto(`${gateway.url}/approvals`);
    const action = page.locator('[data-testid="approval-action"][data-complete="true"]');
    await action.waitFor({ timeout: 30_000 });
    const value = action.locator('span', { hasText: VALUE }).last();
    const key = action.locator('.k', { hasText: 'kkkk' });
    // Where the text is drawn, which may pass its element's box: a key that does not fit its column
    // overflows it, over the value beside it.
    const inked = (l: typeof key) =>
      l.evaluate((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const r = range.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height };
      });
    const [v, k] = [await inked(value), await inked(key)];
    const overlap = !(
      k.x + k.width <= v.x ||
      v.x + v.width <= k.x ||
      k.y + k.height <= v.y ||
      v.y + v.height <= k.y
    );
    assert.equal(
      overlap,
      false,
      `the key (${JSON.stringify(k)}) does not cover its value (${JSON.stringify(v)})`,
    );
    assert.ok(v.x + v.width <= 1280, 'the value is within the window');
    const [scrollWidth, clientWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    assert.ok(scrollWidth <= clientWidth, `the page is not pushed wider (${scrollWidth} > ${clientWidth})`);
    const card = page.getByTestId('approval');
    await denyOnCard(page, card, 'a field that says more than the prompt');
    assert.equal((await held).status, 403, 'the denied request never reached the model');
    assert.deepEqual(errors, []);
    await page.context().close();
  } finally {
    await gateway.close();
    await model.close();
  }
});

test('a held action with masked parts says so: a mask may stand for more than a secret', {
  timeout: 120_000,
}, async (t) => {
  const b = browser ?? (await launchOrSkip(t));
  browser = b;
  const cases = [
    // A real-looking secret in a comment: masked, and the card must say that something is.
    {
      sql: 'update accounts set balance = 0 where id = 1 /* ghp_Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF9eD8c */',
      masked: true,
    },
    // A private key's header alone in a comment, then the clause that matters on the next line:
    // the header is masked, the clause is not (src/mask/sql-code-clip.ts), and the card warns.
    {
      sql: 'update accounts set balance = 0 where id = 1\n-- -----BEGIN PRIVATE KEY-----\nor true',
      masked: true,
    },
  ];
  for (const { sql, masked } of cases) {
    const psql = runClient('psql', ['-X', '-A', '-t', '-c', sql], f, TOKENS.alice);
    const record = await pending(psql);
    if (b) {
      const { page, errors } = await watchedPage(b);
      await signInWithToken(page, f.gateway.url, TOKENS.bob);
      await page.goto(`${f.gateway.url}/approvals`);
      const card = page.getByTestId('approval');
      const statement = card.locator('[data-complete="true"] [data-testid="approval-statement"]');
      await statement.waitFor({ timeout: 30_000 });
      const shown = (await statement.textContent()) ?? '';
      const hasMask = shown.includes('[MASKED:');
      assert.equal(hasMask, masked, shown);
      // Whatever the masker makes of it: the clause is on the card, or the card warns of the mask.
      const warning = card.getByTestId('approval-masked');
      assert.equal(await warning.count(), hasMask ? 1 : 0, shown);
      if (sql.endsWith('or true'))
        assert.match(shown, /where id = 1\n-- \[MASKED:private-key:\w+\]\nor true$/, shown);
      if (hasMask) assert.match((await warning.textContent()) ?? '', /masked .*not shown here/);
      await denyOnCard(page, card, 'a mask where no secret belongs');
      assert.deepEqual(errors, []);
      await page.context().close();
    } else {
      await denyWithoutBrowser(f, record);
    }
    assert.notEqual((await psql).code, 0, 'a denied statement does not run');
  }
});

/** Output with a bidi override around a file name, a javascript: hyperlink and a clipboard write. */
const BIDI_OUTPUT =
  "printf 'A\\342\\200\\256evil-txt.exe\\342\\200\\254 B \\033]8;;javascript:alert(1)\\033\\\\click\\033]8;;\\033\\\\ C \\033]52;c;cm0gLXJmIH4=\\007 D\\n'";
/** A line whose override turns `echo gnorw` round on the screen. */
const BIDI_COMMAND = "echo 'safe \u202Eecho gnorw\u202C' # x";

test('the terminal player shows recorded text in the order it came, whatever bidi controls it holds', {
  skip: sshdMissing() ?? false,
  timeout: 120_000,
}, async (t) => {
  const b = browser ?? (await launchOrSkip(t));
  if (!b) return;
  browser = b;
  const ssh = await startSshFixture({ connection: { echo_wait: '3s' } });
  try {
    await typeInShell(
      ssh,
      TOKENS.alice,
      [SET_PROMPT, BIDI_OUTPUT, BIDI_COMMAND, 'exit'],
      [SHELL_PROMPT, ' D', 'gnorw'],
    );
    const sessionId = (await ssh.sessions()).at(-1)![0]!.sessionId;
    const { page, dialogs, errors } = await watchedPage(b);
    await signInWithToken(page, ssh.gateway.url, TOKENS.audrey);
    await page.goto(`${ssh.gateway.url}/sessions/${sessionId}?tab=terminal&command=4`);
    const screen = page.getByTestId('terminal-player').locator('.ap-term-text');
    await screen.waitFor();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="terminal-player"] .ap-term-text')?.textContent?.includes('gnorw'),
    );
    // Where a piece of a line is drawn: in the order typed, as on the terminal, left to right.
    const drawnAt = (line: string, needle: string) =>
      screen.evaluate(
        (el, [line, needle]) => {
          const row = Array.from(el.querySelectorAll('.ap-line')).find((r) => r.textContent?.includes(line));
          if (!row) return null;
          let at = row.textContent!.indexOf(needle);
          const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
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
        },
        [line, needle] as const,
      );
    for (const [line, first, second] of [
      [' B click C', 'evil', '.exe'],
      ['# x', 'echo gnorw', 'gnorw'],
    ] as const) {
      const [x1, x2] = [await drawnAt(line, first), await drawnAt(line, second)];
      assert.ok(x1 !== null && x2 !== null, `${first} and ${second} are on the screen`);
      assert.ok(x1 < x2, `"${first}" is drawn left of "${second}" (${x1} < ${x2})`);
    }
    const text = (await screen.textContent()) ?? '';
    assert.doesNotMatch(text, /[\u202A-\u202E\u2066-\u2069]/, 'no bidi control reaches the player');
    // The hyperlink is text, the clipboard write did nothing the page can see.
    assert.ok(text.includes(' B click C '), text);
    assert.equal(await page.locator('main a[href^="javascript:"]').count(), 0);
    assert.equal(await page.getByTestId('terminal-player').locator('a').count(), 0);
    assert.equal(await page.title(), 'Vigil console');
    // The command list shows the controls themselves, as escapes.
    const listed = await page.getByTestId('terminal-command').nth(2).textContent();
    assert.ok(listed?.includes('\\u{202E}echo gnorw\\u{202C}'), listed ?? '');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    await page.context().close();
  } finally {
    await ssh.close();
  }
});
