// GET /api/sessions/:id/terminal read the whole session, payloads and all, then built the asciicast
// file and its answer in one go on the gateway's thread: a user who printed tens of megabytes in
// their own SSH session could stall every session's traffic with each call. The route now reads the
// session a page at a time (Store.readSessionPage), giving the thread back between pages, and
// refuses a recording larger than the console plays (`recording_too_large`), reading no further.
// Real gateway and store; the sessions are appended through the gateway's recorder as the SSH module
// records them (ssh.exec with its terminal, ssh.output chunks of asciicast frames on two channels,
// ssh.input keystrokes, ssh.command lines).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { MAX_PLAYBACK_CHARS } from '../../src/api/routes/terminal-playback.js';
import type { EventType, Identity, JsonObject, JsonValue } from '../../src/core/events.js';
import type { SessionPage, SessionPageRequest, Store } from '../../src/core/ports.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { buildConsole, launchOrSkip, signInWithToken, watchedPage } from './support/browser.js';

const BOB: Identity = { subject: 'bob', kind: 'user', groups: ['contractors'] };
/** Printed output with what escaping must keep: escapes, quotes, backslashes, non-ASCII. */
const LINE = 'build \x1b[32mok\x1b[0m "quoted" back\\slash été 🚀 \t done\r\n';

let g: TestGateway;
let browser: Browser | null = null;

/**
 * An SSH session of bob's holding about `outputChars` characters of output, in 64 KiB chunks as the
 * SSH module records them, on two channels whose frames interleave in time, with keystrokes and
 * command lines every few chunks.
 */
async function sshSession(id: string, outputChars: number): Promise<void> {
  const base = { sessionId: id, connection: 'web1', identity: BOB };
  let n = 0;
  const append = (type: EventType, payload: JsonObject, protocol?: string) =>
    g.recorder.append(
      { ...base, type, time: new Date(Date.UTC(2026, 0, 1) + n++).toISOString(), payload },
      protocol,
    );
  void append('session.start', { protocol: 'ssh', client: '127.0.0.1', login: 'bob' }, 'ssh');
  void append('ssh.exec', {
    channel: 0,
    shell: true,
    command: '',
    pty: { term: 'xterm-256color', cols: 132, rows: 43 },
    env: {},
  });
  const perFrame = LINE.repeat(Math.ceil(4096 / LINE.length));
  const chunks = Math.ceil(outputChars / (perFrame.length * 16));
  for (let i = 0; i < chunks; i++) {
    // Two channels' chunks of the same moment: channel 1's frames fall between channel 0's, and
    // the file puts them in time order.
    const channel = i % 2;
    const at = Math.floor(i / 2) * 0.5;
    const frames: JsonValue[] = [];
    for (let k = 0; k < 16; k++) frames.push([at + k * 0.01 + channel * 0.005, 'o', perFrame]);
    if (i === 3) frames.push([at + 0.2, 'r', '100x30']);
    void append('ssh.output', { channel, offset: 0, frames });
    if (i % 7 === 0) {
      void append('ssh.input', { channel: 0, t: at + 0.3, data: `echo step-${i}\r` });
      void append('ssh.command', { channel: 0, t: at + 0.3, command: `echo step-${i}` });
    }
  }
  await g.recorder.drain();
}

/** The store the admin API reads, with its page reads counted, and whole-session reads refused. */
function watchStore(onPage: (page: SessionPage, request: SessionPageRequest) => void): () => void {
  const store = g.store.ledger as Store & Record<string, unknown>;
  const { readSessionPage, readSession } = store;
  store.readSessionPage = async (id: string, request: SessionPageRequest) => {
    const page = await readSessionPage.call(store, id, request);
    onPage(page, request);
    return page;
  };
  store.readSession = () => Promise.reject(new Error('the terminal route read the whole session'));
  return () => {
    store.readSessionPage = readSessionPage;
    store.readSession = readSession;
  };
}

async function terminal(id: string, token = TOKENS.bob) {
  const res = await fetch(`${g.url}/api/sessions/${id}/terminal`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    header: res.headers.get('x-vigil-error'),
    body: (await res.json()) as JsonObject,
  };
}

before(async () => {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  g = await startTestGateway({});
  await sshSession('ses_term_pages', 3 * 1024 * 1024);
  await sshSession('ses_term_huge', MAX_PLAYBACK_CHARS + 4 * 1024 * 1024);
  const base = { sessionId: 'ses_not_ssh', connection: 'pg', identity: BOB, time: new Date().toISOString() };
  await g.recorder.append({ ...base, type: 'session.start', payload: { protocol: 'postgres' } }, 'postgres');
  await g.recorder.append({ ...base, type: 'db.query', payload: { statement: 'select 1', parameters: [] } });
  await g.recorder.drain();
});
after(async () => {
  await browser?.close();
  await g?.close();
  delete process.env.VIGIL_CONSOLE_DIR;
});

test('a recording over many pages is read page by page, the thread given back between pages, and is the file vigil export writes', {
  timeout: 120_000,
}, async () => {
  // Work queued while a page is read (another session's traffic) runs before the next page is read.
  let pages = 0;
  let othersWaiting = 0;
  /** Pages read while work queued during the page before still waited. */
  const early: number[] = [];
  const restore = watchStore((page) => {
    pages++;
    if (othersWaiting > 0) early.push(pages);
    if (page.nextAfterSeq === null) return;
    othersWaiting++;
    setImmediate(() => othersWaiting--);
  });
  let answer: Awaited<ReturnType<typeof terminal>>;
  try {
    answer = await terminal('ses_term_pages');
  } finally {
    restore();
  }
  assert.equal(answer.status, 200, JSON.stringify(answer.body).slice(0, 500));
  const session = await g.store.ledger.getSession('ses_term_pages');
  assert.ok(pages >= 3, `${session!.eventCount} events read in ${pages} pages`);
  assert.deepEqual(early, [], 'pages read before the work queued during the page before ran');

  const played = answer.body.terminal as {
    width: number;
    height: number;
    cast: string;
    commands: JsonObject[];
  };
  assert.deepEqual([played.width, played.height], [132, 43]);
  // To a file: runCli decodes its output chunk by chunk, which breaks a character cut between two.
  const file = join(g.dataDir, 'exported.cast');
  const exported = await runCli([
    '--data',
    g.dataDir,
    'export',
    'ses_term_pages',
    '--format',
    'asciicast',
    '-o',
    file,
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.ok(`${played.cast}\n` === readFileSync(file, 'utf8'), 'the cast differs from the exported file');
  const times = played.cast
    .split('\n')
    .slice(1)
    .map((line) => (JSON.parse(line) as [number])[0]);
  assert.ok(
    times.every((x, i) => i === 0 || x >= times[i - 1]!),
    'frames out of time order',
  );
  const events = await g.store.ledger.readSession('ses_term_pages');
  assert.deepEqual(
    played.commands,
    events
      .filter((e) => e.type === 'ssh.command')
      .map((e) => ({ t: e.payload!.t, command: e.payload!.command, seq: e.seq })),
  );
});

test('a recording larger than the console plays is refused with recording_too_large, and the rest is not read', {
  timeout: 120_000,
}, async () => {
  let read = 0;
  const restore = watchStore((page) => {
    read += page.events.length;
  });
  let answer: Awaited<ReturnType<typeof terminal>>;
  try {
    answer = await terminal('ses_term_huge');
  } finally {
    restore();
  }
  assert.equal(answer.status, 422);
  assert.equal(answer.header, 'recording_too_large');
  const error = answer.body.error as { code: string; message: string };
  assert.equal(error.code, 'recording_too_large');
  assert.match(error.message, /vigil export ses_term_huge --format asciicast/);
  const session = await g.store.ledger.getSession('ses_term_huge');
  assert.ok(read < session!.eventCount, `read ${read} of ${session!.eventCount} events`);
  // Refused, whoever asks: an admin's call is bounded the same way.
  assert.equal((await terminal('ses_term_huge', TOKENS.alice)).header, 'recording_too_large');
  // Another user still learns nothing of it.
  assert.equal((await terminal('ses_term_huge', TOKENS.etl)).header, 'session_unknown');
});

test('a session without terminal output answers null, read page by page too', async () => {
  let pages = 0;
  const restore = watchStore(() => pages++);
  try {
    const answer = await terminal('ses_not_ssh');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { terminal: null });
  } finally {
    restore();
  }
  assert.equal(pages, 1);
});

test("the Terminal tab of a recording too large to play says so, and names the CLI's way", {
  timeout: 120_000,
}, async (t) => {
  browser = await launchOrSkip(t);
  if (!browser) return;
  const { page, errors } = await watchedPage(browser);
  await signInWithToken(page, g.url, TOKENS.bob);
  await page.goto(`${g.url}/sessions/ses_term_huge?tab=terminal`);
  const shown = page.getByTestId('terminal-error');
  await shown.waitFor();
  const text = (await shown.textContent()) ?? '';
  assert.match(text, /recording_too_large/);
  assert.match(text, /vigil export ses_term_huge --format asciicast/);
  assert.equal(await page.locator('.ap-term-text').count(), 0);
  assert.deepEqual(
    errors.filter((e) => !/422/.test(e)),
    [],
  );
});
