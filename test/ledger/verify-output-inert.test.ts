// `vigil verify` prints text that whoever wrote the data directory or made a bundle chose: a stored
// checkpoint's time and key id (printed even when that checkpoint is the fault), the ids of sessions
// appended after the latest checkpoint, a bundle's checkpoint time. Printed raw, an escape sequence
// there moved the cursor back over the TAMPERED line and wrote "ledger intact" in its place, or hid
// the lines after it (SGR 8, concealed text), while the exit code still said 1.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register as keys } from '../../src/cli/commands/keys.js';
import { register as verify } from '../../src/cli/commands/verify.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { eventSourceOpener } from '../../src/store/event-source-opener.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { buildLedger, draftFor, type Ledger, SQLITE_LEDGER_STORE, sessionName } from './fixture.js';
import { forgedBundle } from './forgery.js';

async function vigil(dataDir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const program = new Command('vigil').option('-c, --config <file>').option('--data <dir>').exitOverride();
  let code = 0;
  for (const register of [verify, keys]) register(program, (c) => (code = c));
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['node', 'vigil', '--data', dataDir, ...args]);
  } finally {
    console.log = log;
  }
  return { code, out: lines.join('\n') };
}

/** Verification alone, with workers sent rows, and with workers reading their own ranges. */
const ways = (l: Ledger) =>
  [
    { workers: 0 },
    { workers: 2, minEvents: 0 },
    { workers: 2, minEvents: 0, reader: eventSourceOpener(SQLITE_LEDGER_STORE, l.dir, l.dir) },
  ].map((parallel) => ({ parallel, batchSize: 2 }));

/** Up two lines, erase, claim the ledger intact, then conceal whatever is printed after. */
const SPOOF = '\x1b[2A\r\x1b[2Kledger intact\x1b[8m\u202e';
// Anything a terminal acts on, other than the report's own line feeds.
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

test('a stored checkpoint whose time carries escapes is the fault, and its time is printed inertly', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    const db = sqliteDatabase(ledger.store);
    db.prepare('UPDATE checkpoints SET time = ? WHERE size = (SELECT MAX(size) FROM checkpoints)').run(
      `2025-01-01T00:00:00.000Z${SPOOF}`,
    );
    await ledger.store.close();
    const report = await vigil(ledger.dir, 'verify');
    assert.equal(report.code, 1, report.out);
    assert.match(report.out, /^TAMPERED \[/);
    assert.doesNotMatch(report.out, ACTIVE, report.out);
    assert.match(report.out, /\\u\{1B\}\[2A/);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('a session appended after the latest checkpoint cannot hide the fault with its id', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    const recorder = new Recorder(ledger.store.ledger);
    await recorder.init();
    await recorder.append({ ...draftFor(9, 9), sessionId: `sess-9${SPOOF}` }, 'llm');
    await ledger.store.close();
    writeFileSync(ledger.anchor, '');
    const report = await vigil(ledger.dir, 'verify');
    assert.equal(report.code, 1, report.out);
    assert.match(report.out, /^TAMPERED \[anchor_truncated\]/);
    assert.match(report.out, /incomplete sessions/);
    assert.doesNotMatch(report.out, ACTIVE, report.out);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test("a bundle's checkpoint time is printed inertly, with --keys (unknown_key) and without", async () => {
  const ledger = await buildLedger({ order: [0, 0], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    await ledger.store.close();
    const keysFile = join(ledger.dir, 'published-keys.json');
    writeFileSync(keysFile, (await vigil(ledger.dir, 'keys', 'public', '--json')).out);
    // A bundle made from nothing with a key of the maker's own, its checkpoint re-signed over the time.
    const forger = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
    const bundle = JSON.parse(forgedBundle(forger, sessionName(0)));
    const cp = signCheckpoint(forger, bundle.checkpoint.size, bundle.checkpoint.root, `2025-01-01${SPOOF}`);
    bundle.checkpoint = { ...bundle.checkpoint, time: cp.time, signature: cp.signature };
    const file = join(ledger.dir, 'forged.json');
    writeFileSync(file, canonicalJson(bundle));

    const trusted = await vigil(ledger.dir, 'verify', '--bundle', file, '--keys', keysFile);
    assert.equal(trusted.code, 1, trusted.out);
    assert.match(trusted.out, /^TAMPERED \[unknown_key\]/);
    assert.doesNotMatch(trusted.out, ACTIVE, trusted.out);

    const alone = await vigil(ledger.dir, 'verify', '--bundle', file);
    assert.equal(alone.code, 0, alone.out);
    assert.doesNotMatch(alone.out, ACTIVE, alone.out);
    assert.match(alone.out, /the bundle's own key, not checked/);
    assert.ok(
      readFileSync(file, 'utf8').includes('\\u001b'),
      'the escape is in the bundle as JSON writes it',
    );
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('verify --session names a session the log does not hold (deleted whole) instead of "checked in depth"', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    // A session recorded after the latest checkpoint, then deleted with its record by a writer of the
    // data directory: nothing signed covered it, so the log itself still verifies.
    const recorder = new Recorder(ledger.store.ledger);
    await recorder.init();
    await recorder.append(draftFor(9, 9), 'llm');
    const db = sqliteDatabase(ledger.store);
    db.prepare('DELETE FROM events WHERE session_id = ?').run(sessionName(9));
    db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionName(9));
    await ledger.store.close();
    const gone = await vigil(ledger.dir, 'verify', '--session', sessionName(9));
    assert.equal(gone.code, 1, gone.out);
    assert.match(gone.out, /^SESSION NOT FOUND: the log holds no event of session sess-9/);
    assert.doesNotMatch(gone.out, /checked in depth/);
    const json = JSON.parse((await vigil(ledger.dir, 'verify', '--session', sessionName(9), '--json')).out);
    assert.equal(json.ok, true);
    assert.equal(json.sessionEvents, 0);
    const held = await vigil(ledger.dir, 'verify', '--session', sessionName(1));
    assert.equal(held.code, 0, held.out);
    assert.match(held.out, /^ledger intact \(session sess-1 checked in depth\)/);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('verify --bundle --json: C1 controls and bidi overrides in the bundle come out as JSON escapes', async () => {
  const ledger = await buildLedger({ order: [0, 0], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    await ledger.store.close();
    const forger = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
    // U+009B is a one-character CSI to a terminal that takes C1 controls; JSON.stringify leaves it raw.
    const session = 'sess-\u009b2A\u009b2K\u202eok';
    const file = join(ledger.dir, 'forged.json');
    writeFileSync(file, forgedBundle(forger, session));
    const out = await vigil(ledger.dir, 'verify', '--bundle', file, '--json');
    assert.equal(out.code, 0, out.out);
    assert.doesNotMatch(out.out, ACTIVE, out.out);
    assert.equal(JSON.parse(out.out).session, session, 'the escapes parse back to the same id');
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('a purge record appended after the latest checkpoint to explain erased signed payloads is called what it may be', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    // A writer of the database records a purge nobody ran, naming two signed events, and erases them.
    const recorder = new Recorder(ledger.store.ledger);
    await recorder.init();
    await recorder.append(
      {
        ...draftFor(7, 7),
        type: 'ledger.purged',
        connection: 'cli',
        payload: {
          before: '2099-01-01T00:00:00.000Z',
          count: 2,
          operator: 'local:root@host',
          ranges: [[0, 1]],
          reason: null,
        },
      },
      'cli',
    );
    sqliteDatabase(ledger.store).prepare('UPDATE events SET payload = NULL WHERE idx <= 1').run();
    await ledger.store.close();
    const report = await vigil(ledger.dir, 'verify');
    assert.equal(report.code, 0, report.out);
    assert.match(report.out, /purged payloads: 2 event\(s\)/);
    assert.match(
      report.out,
      /note: purge record\(s\) at event 4 not yet covered by a signed checkpoint: the payloads they name are missing on the database's word alone .*if no one ran vigil purge then, they were erased/,
    );
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('--since: an event backdated past the date (its time column) is still rehashed by its header', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  try {
    // Event 3 (recorded at 00:00:03) gets other payload text, and a time column before --since.
    sqliteDatabase(ledger.store)
      .prepare('UPDATE events SET payload = ?, time = ? WHERE idx = 3')
      .run('{"n":3,"text":"something else"}', '2024-12-31T23:59:59.000Z');
    for (const way of ways(ledger)) {
      const report = await ledger.verify({ since: '2025-01-01T00:00:02.000Z', ...way });
      assert.equal(report.fault?.kind, 'hash_mismatch', JSON.stringify(report));
      assert.equal(report.fault?.index, 3);
    }
  } finally {
    await ledger.store.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test("--session: a session's last event moved into another session is still rehashed by its header", async () => {
  const ledger = await buildLedger({ order: [1, 0, 1, 0], checkpointsAfter: [2] });
  try {
    // sess-0's last event (index 3) becomes sess-1's third, links and session records made to agree.
    const db = sqliteDatabase(ledger.store);
    const hash2 = (db.prepare('SELECT hash FROM events WHERE idx = 2').get() as { hash: string }).hash;
    const hash1 = (db.prepare('SELECT hash FROM events WHERE idx = 1').get() as { hash: string }).hash;
    const hash3 = (db.prepare('SELECT hash FROM events WHERE idx = 3').get() as { hash: string }).hash;
    db.prepare('UPDATE events SET session_id = ?, seq = 2, prev_hash = ? WHERE idx = 3').run(
      sessionName(1),
      hash2,
    );
    db.prepare('UPDATE sessions SET event_count = 1, next_seq = 1, last_hash = ? WHERE id = ?').run(
      hash1,
      sessionName(0),
    );
    db.prepare('UPDATE sessions SET event_count = 3, next_seq = 3, last_hash = ? WHERE id = ?').run(
      hash3,
      sessionName(1),
    );
    for (const way of ways(ledger)) {
      const report = await ledger.verify({ sessionId: sessionName(0), ...way });
      assert.equal(report.fault?.kind, 'hash_mismatch', JSON.stringify(report));
      assert.equal(report.fault?.index, 3);
    }
  } finally {
    await ledger.store.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});
