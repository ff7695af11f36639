// GET /api/sessions/:id/verify (any user, on their own session) and /export read the whole session
// with one readSession, encoded its bundle in one go, and /verify checked it (parse, re-encode, hash
// every event) on the gateway's thread: a user who filled their own session with tens of megabytes
// could stall every session's traffic for most of a second per call, in a loop. The session is now
// read a page at a time (Store.readSessionPage) with the thread given back between pages, the bundle
// checked and re-spelled in a worker thread, and the answers are what they were: the bundle
// `vigil export` writes, and verifyBundle's report of it. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { VigilError } from '../../src/core/errors.js';
import type { EventType, Identity, JsonObject, JsonValue } from '../../src/core/events.js';
import type { SessionPage, Store } from '../../src/core/ports.js';
import { exportBundle } from '../../src/ledger/bundle.js';
import { bundleWorkOffThread } from '../../src/ledger/bundle-off-thread.js';
import { verifyBundle } from '../../src/ledger/bundle-verify.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const BOB: Identity = { subject: 'bob', kind: 'user', groups: ['contractors'] };
/** Output with what escaping and piecing must keep: escapes, quotes, backslashes, non-ASCII, emoji. */
const LINE = 'build \x1b[32mok\x1b[0m "quoted" back\\slash été 🚀🚀 \t done\r\n';

/** An SSH session of bob's with about `chars` characters of output in 64 KiB chunks. */
async function sshSession(g: TestGateway, id: string, chars: number): Promise<void> {
  let n = 0;
  const append = (type: EventType, payload: JsonObject, protocol?: string) =>
    g.recorder.append(
      {
        sessionId: id,
        connection: 'web1',
        identity: BOB,
        type,
        time: new Date(Date.UTC(2026, 0, 1) + n++).toISOString(),
        payload,
      },
      protocol,
    );
  void append('session.start', { protocol: 'ssh', client: '127.0.0.1', login: 'bob' }, 'ssh');
  const frame = LINE.repeat(Math.ceil(4096 / LINE.length));
  for (let i = 0; i < Math.ceil(chars / (frame.length * 16)); i++) {
    const frames: JsonValue[] = [];
    for (let k = 0; k < 16; k++) frames.push([i + k * 0.01, 'o', frame]);
    void append('ssh.output', { channel: 0, offset: 0, frames });
  }
  void append('session.end', { reason: 'client_closed' });
  await g.recorder.drain();
  await g.checkpointer.checkpointNow();
}

/**
 * Counts the pages the store reads, notes any page read while work queued during the page before
 * still waited, and refuses whole-session reads.
 */
function watchPages(store: Store) {
  const watched = store as Store & Record<string, unknown>;
  const { readSessionPage, readSession } = watched;
  const seen = { pages: 0, events: 0, early: [] as number[] };
  let waiting = 0;
  watched.readSessionPage = async (id: string, request: Parameters<Store['readSessionPage']>[1]) => {
    const page: SessionPage = await readSessionPage.call(store, id, request);
    seen.pages++;
    seen.events += page.events.length;
    if (waiting > 0) seen.early.push(seen.pages);
    if (page.nextAfterSeq !== null) {
      waiting++;
      setImmediate(() => waiting--);
    }
    return page;
  };
  watched.readSession = () => Promise.reject(new Error('the whole session was read at once'));
  return {
    seen,
    restore() {
      watched.readSessionPage = readSessionPage;
      watched.readSession = readSession;
    },
  };
}

async function get(g: TestGateway, path: string, token: string) {
  const res = await fetch(`${g.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

for (const store of ['sqlite', 'postgres'] as const) {
  test(`${store}: /verify and /export read a large session page by page and answer as before`, {
    timeout: 180_000,
  }, async () => {
    // No checkpoint but the one made below: the CLI's bundle and the route's name the same one.
    const g = await startTestGateway({ ledger: { checkpoint_interval: 3_600_000 } }, undefined, { store });
    try {
      await sshSession(g, 'ses_big_bundle', 3 * 1024 * 1024);
      // The bundle as the CLI writes it (SQLite: `vigil export` itself; PostgreSQL: the same call).
      let bundle: string;
      if (store === 'sqlite') {
        const file = join(g.dataDir, 'bundle.json');
        const cli = await runCli(['--data', g.dataDir, 'export', 'ses_big_bundle', '-o', file]);
        assert.equal(cli.code, 0, cli.stderr);
        bundle = readFileSync(file, 'utf8').replace(/\n$/, '');
      } else {
        bundle = await exportBundle(g.store.ledger, 'ses_big_bundle', g.ledgerKeys.keyring, {
          source: g.store.eventSource,
        });
      }
      assert.ok(canonicalJson(JSON.parse(bundle)) === bundle, 'the bundle is not canonical JSON');
      const events = (await g.store.ledger.getSession('ses_big_bundle'))!.eventCount;

      const watch = watchPages(g.store.ledger);
      let verified: Awaited<ReturnType<typeof get>>;
      let exported: Awaited<ReturnType<typeof get>>;
      try {
        verified = await get(g, '/api/sessions/ses_big_bundle/verify', TOKENS.bob);
        assert.equal(verified.status, 200, verified.text.slice(0, 500));
        assert.ok(watch.seen.pages >= 3, `${events} events read in ${watch.seen.pages} pages`);
        assert.deepEqual(
          watch.seen.early,
          [],
          'pages read before the work queued during the page before ran',
        );
        exported = await get(g, '/api/sessions/ses_big_bundle/export', TOKENS.audrey);
        assert.equal(exported.status, 200, exported.text.slice(0, 500));
        assert.deepEqual(watch.seen.early, []);
      } finally {
        watch.restore();
      }
      const report = verifyBundle(bundle);
      assert.equal(report.ok, true, JSON.stringify(report.fault));
      assert.equal(report.events, events);
      assert.ok(
        verified.text === JSON.stringify(report),
        'the report differs from verifyBundle of the export',
      );
      // The admin API has always answered the bundle parsed and serialized again.
      assert.ok(exported.text === JSON.stringify(JSON.parse(bundle)), 'the export answer differs');
    } finally {
      await g.close();
    }
  });
}

test('a session past the bound is refused with bundle_too_large naming the CLI, the rest unread', {
  timeout: 180_000,
}, async () => {
  const g = await startTestGateway({});
  try {
    // Past the gateway's own bound (8 MiB of payload text, MAX_BUNDLE_PAYLOAD_CHARS).
    await sshSession(g, 'ses_huge_bundle', 9 * 1024 * 1024);
    const events = (await g.store.ledger.getSession('ses_huge_bundle'))!.eventCount;
    const watch = watchPages(g.store.ledger);
    let refused: unknown;
    try {
      await exportBundle(g.store.ledger, 'ses_huge_bundle', g.ledgerKeys.keyring, {
        maxPayloadChars: 1024 * 1024,
      });
    } catch (err) {
      refused = err;
    } finally {
      watch.restore();
    }
    assert.ok(refused instanceof VigilError, String(refused));
    assert.equal(refused.code, 'bundle_too_large');
    assert.equal(refused.status, 422);
    assert.match(refused.message, /vigil export ses_huge_bundle/);
    assert.match(refused.message, /vigil verify --session ses_huge_bundle/);
    assert.ok(watch.seen.events < events, `read ${watch.seen.events} of ${events} events`);
    // Under the bound, the same call bundles it.
    const text = await exportBundle(g.store.ledger, 'ses_huge_bundle', g.ledgerKeys.keyring, {
      maxPayloadChars: 16 * 1024 * 1024,
    });
    assert.equal(verifyBundle(text).ok, true);
    // The gateway's routes refuse it with the code, for its own user and for an admin alike.
    for (const [path, token] of [
      ['/api/sessions/ses_huge_bundle/verify', TOKENS.bob],
      ['/api/sessions/ses_huge_bundle/export', TOKENS.alice],
    ] as const) {
      const res = await get(g, path, token);
      assert.equal(res.status, 422, `${path}: ${res.text.slice(0, 200)}`);
      assert.match(res.text, /bundle_too_large/, path);
    }
  } finally {
    await g.close();
  }
});

test('the bundle worker answers as verifyBundle and JSON do, a broken bundle and split characters too', {
  timeout: 120_000,
}, async () => {
  const work = bundleWorkOffThread();
  const g = await startTestGateway({});
  try {
    await sshSession(g, 'ses_worker', 1024 * 1024);
    const text = await exportBundle(g.store.ledger, 'ses_worker', g.ledgerKeys.keyring);
    assert.deepEqual(await work.verify(text), verifyBundle(text));
    assert.ok((await work.json(text)) === JSON.stringify(JSON.parse(text)));
    // The text crosses in pieces of 256 Ki UTF-16 code units: this one's first piece ends between
    // the two halves of an emoji.
    const split = `["${'a'.repeat(256 * 1024 - 3)}🚀 été"]`;
    assert.equal(split.charCodeAt(256 * 1024 - 1), 0xd83d);
    assert.ok((await work.json(split)) === split);
    const broken = text.replace('🚀', '🚁');
    const report = await work.verify(broken);
    assert.equal(report.ok, false);
    assert.deepEqual(report, verifyBundle(broken));
    await assert.rejects(work.json('{"not json'), (err: VigilError) => err instanceof VigilError);
  } finally {
    await g.close();
  }
});
