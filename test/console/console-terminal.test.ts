// The terminal player in Chromium: a real interactive shell through Vigil against the real OpenSSH
// server (test/ssh/ssh-fixture.ts), typing a few commands, one of which prints markup and escape
// sequences; an auditor opens the session's Terminal tab, where asciinema-player plays the recording
// beside the list of the command lines; clicking a command seeks the player to the moment its line
// was entered. Nothing recorded runs or becomes markup, no request leaves the page, the page's strict
// Content-Security-Policy holds (no violation reported), and a user cannot read another's recording.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { inertLine } from '../../src/core/inert-text.js';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { runCli } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';
import { SET_PROMPT, SHELL_PROMPT, typeInShell } from './support/ssh-shell.js';

const missing = sshdMissing();
/** Printed by the shell: markup that would act if it became HTML, a colour, and an OSC title. */
const HOSTILE_OUTPUT =
  "printf '%s\\n' '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>' && printf 'colour-\\033[31mred\\033[0m\\033]0;pwn-title\\007-done\\n'";
const COMMANDS = [SET_PROMPT, 'echo first-$((2+3))', HOSTILE_OUTPUT, 'echo last-$((6*7))', 'exit'];

let f: SshFixture;
let browser: Browser | null = null;
let sessionId = '';

before(async () => {
  if (missing) return;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  // A loaded machine may take longer than the default 300 ms to echo a line: such a line would be
  // judged but taken for one typed with echo off, and not listed as a command.
  f = await startSshFixture({ connection: { echo_wait: '3s' } });
  await typeInShell(f, TOKENS.alice, COMMANDS, [SHELL_PROMPT, 'first-5', '\x07-done', 'last-42']);
  const sessions = await f.sessions();
  const last = sessions.at(-1)!;
  sessionId = last[0]!.sessionId;
  assert.ok(
    last.some((e) => e.type === 'ssh.command'),
    'the shell recorded its command lines',
  );
});

after(async () => {
  await browser?.close();
  await f?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('an SSH session plays in the Terminal tab; a command seeks the player; recorded output stays inert', {
  skip: missing ?? false,
  timeout: 120_000,
}, async (t) => {
  browser ??= await launchOrSkip(t);
  if (!browser) return;
  const { page, requests, dialogs, errors } = await watchedPage(browser);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await signInWithToken(page, f.gateway.url, TOKENS.audrey);
  await page.goto(`${f.gateway.url}/sessions/${sessionId}`);
  await page.getByTestId('terminal-tab').click();
  await page.waitForURL(/tab=terminal/);
  const player = page.getByTestId('terminal-player');
  await player.locator('.ap-term-text').waitFor();

  // Shown as the CLI shows recorded text (core/inert-text.ts: a backslash doubled, controls escaped).
  const listed = await page.getByTestId('terminal-command').allTextContents();
  assert.equal(listed.length, COMMANDS.length, listed.join('\n'));
  for (const [i, command] of COMMANDS.entries())
    assert.ok(listed[i]!.endsWith(inertLine(command)), JSON.stringify([listed[i], command]));

  const screen = () =>
    player
      .locator('.ap-term-text')
      .textContent()
      .then((s) => s ?? '');
  const times = await page
    .getByTestId('terminal-command')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-t'))));
  assert.ok(
    times.every((x, i) => i === 0 || x > times[i - 1]!),
    `command times ${times}`,
  );

  // The moment `echo last-…` was entered: what came before is on the screen, its own output not yet.
  await page.getByTestId('terminal-command').nth(3).click();
  await page.waitForURL(/command=4/);
  const atLast = await until('the player at the 4th command', async () => {
    const text = await screen();
    return text.includes('colour-red-done') ? text : null;
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify({ screen: await screen(), violations, errors })}`);
  });
  assert.ok(atLast.includes('first-5'), atLast);
  assert.ok(atLast.includes('<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>'), atLast);
  assert.ok(!atLast.includes('last-42'), `the player ran past the command: ${atLast}`);
  // The colour and the title were taken in by the player's terminal: `colour-red-done` reads whole
  // (above), and no escape character is left in its text.
  assert.ok(!atLast.includes('\u001b'), atLast);
  // The time the page shows (read from the player every 200 ms) settles at the command's moment.
  const shownTime = async () =>
    Number((await page.getByTestId('player-time').textContent())?.match(/(\d+):([\d.]+)/)?.[2]);
  await until('the shown time at the command', async () =>
    Math.abs((await shownTime()) - times[3]!) < 0.25 ? true : null,
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}: shown ${await shownTime()}, command at ${times[3]}`);
  });

  // Back to the second command (Enter pressed, its echo not back yet): the screen goes back to the
  // prompt it was typed at, before `first-5` and the markup were printed.
  await page.getByTestId('terminal-command').nth(1).click();
  await until('the player at the 2nd command', async () => {
    const text = await screen();
    return text.includes('vt$') && !text.includes('first-5') && !text.includes('colour-red-done')
      ? text
      : null;
  });

  // A shared link to a command opens the player there.
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal&command=4`);
  await until('the shared command', async () => {
    const text = await screen().catch(() => '');
    return text.includes('colour-red-done') && !text.includes('last-42') ? text : null;
  });

  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('main script, main img, main iframe, main [onerror]').count(), 0);
  assert.equal(await page.title(), 'Vigil console', 'the recorded OSC title reached the page');
  const elsewhere = requests.filter((u) => !u.startsWith(`${f.gateway.url}/`));
  assert.deepEqual(elsewhere, [], 'no request left the page for anywhere but the gateway');
  assert.deepEqual(violations, [], 'the Content-Security-Policy refused something the page needs');
  assert.deepEqual(errors, []);

  // Reading the recording was recorded (audit.viewed, what: terminal).
  await f.gateway.recorder.drain();
  const viewed = [];
  for (const s of await f.gateway.store.ledger.listSessions({ connection: 'admin-api', limit: 100 }))
    viewed.push(...(await f.gateway.store.ledger.readSession(s.id)).filter((e) => e.type === 'audit.viewed'));
  assert.ok(
    viewed.some((e) => e.identity.subject === 'audrey' && e.payload?.what === 'terminal'),
    JSON.stringify(viewed.map((e) => e.payload)),
  );
});

test("a user cannot read another identity's terminal recording, through the page or the API", {
  skip: missing ?? false,
  timeout: 60_000,
}, async (t) => {
  const read = (token: string) =>
    fetch(`${f.gateway.url}/api/sessions/${sessionId}/terminal`, {
      headers: { authorization: `Bearer ${token}` },
    });
  // Its owner reads it; another user learns nothing, not even that it exists.
  const own = (await (await read(TOKENS.alice)).json()) as { terminal: { cast: string } | null };
  assert.match(own.terminal?.cast ?? '', /^\{"version":2,/);
  // The same file `vigil export --format asciicast` writes (one module builds both).
  const exported = await runCli([
    '--data',
    f.dataDir,
    'export',
    sessionId,
    '--format',
    'asciicast',
    '-o',
    '-',
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(exported.stdout.trimEnd(), own.terminal?.cast);
  const direct = await read(TOKENS.bob);
  assert.equal(direct.status, 404);
  assert.equal(((await direct.json()) as { error: { code: string } }).error.code, 'session_unknown');
  browser ??= await launchOrSkip(t);
  if (!browser) return;
  const { page } = await watchedPage(browser);
  await signInWithToken(page, f.gateway.url, TOKENS.bob);
  await page.goto(`${f.gateway.url}/sessions/${sessionId}?tab=terminal`);
  await page.getByTestId('terminal-error').or(page.getByTestId('session-error')).first().waitFor();
  assert.match(
    await page
      .locator('main')
      .textContent()
      .then((s) => s ?? ''),
    /session_unknown/,
  );
  assert.equal(await page.locator('.ap-term-text').count(), 0);
});
