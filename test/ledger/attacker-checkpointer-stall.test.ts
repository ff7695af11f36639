// Someone who can write the database, but holds no key, stops the gateway sealing while it goes on
// recording: every event from then on outside any signature, rewritable unseen. Until 6 December:
// - one checkpoint row whose size is past the log's end was taken, at the gateway's next start (or
//   by a replica taking over signing), as already covered: nothing was signed until the log grew
//   past it (with a size of 2^53 - 1, never again). Now the row is refused and reported
//   (`ledger_tampered`), sealing goes on from the last checkpoint the log holds, and `vigil verify`
//   still names the row;
// - one event deleted from the unsigned tail left a hole the checkpointer silently stopped at. It
//   still cannot sign past it (no tree has a missing leaf), but now says so (`ledger_tampered`).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { Command } from 'commander';
import { register as verify } from '../../src/cli/commands/verify.js';
import { isVigilError } from '../../src/core/errors.js';
import type { SignedCheckpoint } from '../../src/core/ports.js';
import { anchorPath } from '../../src/ledger/anchor.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { buildLedger, draftFor, type Ledger } from './fixture.js';

async function vigil(dataDir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const program = new Command('vigil').option('-c, --config <file>').option('--data <dir>').exitOverride();
  let code = 0;
  verify(program, (c) => (code = c));
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

function forgeRow(l: Ledger, size: number): void {
  const last = l.checkpoints.at(-1)!;
  // The newest genuine row's fields at another size: no key is needed to write a row.
  sqliteDatabase(l.store)
    .prepare('INSERT INTO checkpoints (size, root, time, key_id, signature) VALUES (?, ?, ?, ?, ?)')
    .run(size, 'ab'.repeat(32), last.time, last.keyId, last.signature);
}

/** The gateway starting on the tampered store: recorder, checkpointer (anchor and all), as gateway.ts wires them. */
async function startGateway(l: Ledger) {
  const recorder = new Recorder(l.store.ledger);
  await recorder.init();
  const errors: unknown[] = [];
  const checkpointer = new Checkpointer({
    store: l.store.ledger,
    recorder,
    signer: l.keys.signer,
    anchorFile: anchorPath(l.dir),
    intervalMs: 3_600_000,
    onError: (err) => errors.push(err),
  });
  await checkpointer.start();
  let n = 100;
  const record = async (count: number) => {
    for (let i = 0; i < count; i++) await recorder.append(draftFor(0, n++), 'llm');
  };
  return { recorder, checkpointer, errors, record };
}

const spec = { order: [0, 1, 0, 1, 0, 1], checkpointsAfter: [3] };

test('a checkpoint row past the log does not stop the gateway sealing what it records', async () => {
  const l = await buildLedger(spec);
  try {
    forgeRow(l, Number.MAX_SAFE_INTEGER);
    const gw = await startGateway(l);
    await gw.record(4);
    const cp: SignedCheckpoint | null = await gw.checkpointer.checkpointNow();
    await gw.checkpointer.stop();
    assert.equal(cp?.size, 10, 'the events recorded after the forged row are signed');
    assert.equal(gw.checkpointer.checkpointedSize, 10);
    // Reported once, with a stable code and the sizes to match on.
    assert.equal(gw.errors.length, 1, String(gw.errors));
    const err = gw.errors[0];
    assert.ok(isVigilError(err) && err.code === 'ledger_tampered', String(err));
    // The gateway logs the message: the reason opens it.
    assert.match(err.message, /^checkpoint_beyond_log: /);
    assert.deepEqual(err.details, {
      reason: 'checkpoint_beyond_log',
      checkpointSizes: [Number.MAX_SAFE_INTEGER],
      logSize: 6,
      continueFrom: 6,
    });
    await l.store.close();

    // The forged row is still what verify names, on the real CLI.
    const seen = await vigil(l.dir, 'verify', '--json');
    assert.equal(seen.code, 1, seen.out);
    const fault = JSON.parse(seen.out).fault;
    assert.equal(fault.kind, 'signature_invalid');
    assert.equal(fault.checkpointSize, Number.MAX_SAFE_INTEGER);
    // Without it, the gateway's new checkpoint (stored and anchored) verifies: sealing went on honestly.
    await l.reopen();
    sqliteDatabase(l.store).prepare('DELETE FROM checkpoints WHERE size = ?').run(Number.MAX_SAFE_INTEGER);
    await l.store.close();
    const clean = await vigil(l.dir, 'verify', '--json');
    assert.equal(clean.code, 0, clean.out);
    assert.equal(JSON.parse(clean.out).latestCheckpoint.size, 10);
  } finally {
    await l.store.close().catch(() => {});
    rmSync(l.dir, { recursive: true, force: true });
  }
});

test('the log reaching a forged size exactly: that size is skipped, the next one is signed', async () => {
  const l = await buildLedger(spec);
  try {
    forgeRow(l, 8);
    const gw = await startGateway(l);
    await gw.record(2);
    // Signing size 8 would collide with the forged row (one row per size) and fail at every tick.
    assert.equal(await gw.checkpointer.checkpointNow(), null);
    await gw.record(1);
    assert.equal((await gw.checkpointer.checkpointNow())?.size, 9);
    await gw.checkpointer.stop();
    assert.equal(gw.errors.length, 1, String(gw.errors));
  } finally {
    await l.store.close();
    rmSync(l.dir, { recursive: true, force: true });
  }
});

test('a replica taking over signing does not build on a row past the log', async () => {
  const l = await buildLedger(spec);
  try {
    let leading = false;
    const recorder = new Recorder(l.store.ledger);
    await recorder.init();
    const errors: unknown[] = [];
    const checkpointer = new Checkpointer({
      store: l.store.ledger,
      recorder,
      signer: l.keys.signer,
      anchorFile: anchorPath(l.dir),
      intervalMs: 3_600_000,
      onError: (err) => errors.push(err),
      lead: async () => leading,
    });
    await checkpointer.start();
    forgeRow(l, Number.MAX_SAFE_INTEGER);
    await recorder.append(draftFor(1, 200), 'llm');
    leading = true;
    assert.equal((await checkpointer.checkpointNow())?.size, 7);
    await checkpointer.stop();
    assert.equal(errors.length, 1, String(errors));
  } finally {
    await l.store.close();
    rmSync(l.dir, { recursive: true, force: true });
  }
});

test('an event deleted from the unsigned tail: the checkpointer reports the hole it cannot sign past', async () => {
  const l = await buildLedger({ order: [0, 1, 0, 1, 0, 1, 0, 1], checkpointsAfter: [3, 6] });
  try {
    // With the gateway stopped: the last checkpoint (row and anchor line) and then event 6 removed.
    const db = sqliteDatabase(l.store);
    db.prepare('DELETE FROM checkpoints WHERE size = 8').run();
    writeFileSync(l.anchor, `${readFileSync(l.anchor, 'utf8').split('\n').slice(0, 2).join('\n')}\n`);
    db.prepare('DELETE FROM events WHERE idx = 6').run();
    const gw = await startGateway(l);
    await gw.record(3);
    assert.equal(await gw.checkpointer.checkpointNow(), null, 'no tree has a missing leaf');
    await gw.checkpointer.checkpointNow();
    await gw.checkpointer.stop();
    assert.equal(gw.errors.length, 1, `reported once: ${String(gw.errors)}`);
    const err = gw.errors[0];
    assert.ok(isVigilError(err) && err.code === 'ledger_tampered', String(err));
    assert.match(err.message, /^log_hole: /);
    assert.deepEqual(err.details, { reason: 'log_hole', index: 6, next: 7 });
    await l.store.close();
    const seen = await vigil(l.dir, 'verify', '--json');
    assert.equal(seen.code, 1, seen.out);
    assert.equal(JSON.parse(seen.out).fault.kind, 'index_gap');
  } finally {
    await l.store.close().catch(() => {});
    rmSync(l.dir, { recursive: true, force: true });
  }
});

test('a stopping replica that does not sign is not told by a forged row that its last events are sealed', async () => {
  const l = await buildLedger(spec);
  try {
    const recorder = new Recorder(l.store.ledger);
    await recorder.init();
    const replica = new Checkpointer({
      store: l.store.ledger,
      recorder,
      signer: l.keys.signer,
      anchorFile: null,
      intervalMs: 3_600_000,
      lead: async () => false,
    });
    await replica.start();
    await recorder.append(draftFor(0, 300), 'llm');
    await recorder.append(draftFor(1, 301), 'llm');
    // A row no key signed, past anything the log will hold, stored while the replica runs.
    forgeRow(l, Number.MAX_SAFE_INTEGER);
    const signer = new Checkpointer({
      store: l.store.ledger,
      recorder,
      signer: l.keys.signer,
      anchorFile: anchorPath(l.dir),
      intervalMs: 3_600_000,
      onError: () => {},
    });
    let sealed = false;
    const stopping = replica.stop().then(() => sealed);
    // The signer's turn comes while the replica hands over (it waits up to 5 s).
    await new Promise((r) => setTimeout(r, 300));
    await signer.start();
    assert.equal((await signer.checkpointNow())?.size, 8);
    sealed = true;
    assert.equal(await stopping, true, 'the replica stopped before its last events were signed');
    await signer.stop();
  } finally {
    await l.store.close();
    rmSync(l.dir, { recursive: true, force: true });
  }
});
