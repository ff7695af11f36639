// Whoever hands an auditor a bundle chooses its size and shape. Until 7 December `vigil verify
// --bundle` read the file whole, parsed it whole and encoded it again to compare: a 400 MB file of
// small JSON objects took it past its 4 GB heap, and it died (SIGABRT) after three minutes with no
// report. It now reads the file a chunk at a time, each event parsed and checked as it comes, in
// memory bounded by the largest event: shown here by the real CLI, in a process of its own, verifying
// a genuine-shaped bundle many times its heap, and turning away a huge file of junk at once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { purgeRecorded } from '../../src/cli/commands/purge.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { exportBundle } from '../../src/ledger/bundle.js';
import { verifyBundleStream } from '../../src/ledger/bundle-stream.js';
import { verifyBundle } from '../../src/ledger/bundle-verify.js';
import { chainHashOf, encodeHeaderWith, GENESIS_HASH, payloadHash } from '../../src/ledger/chain.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { entryOf, signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { leafHashFromHex, MerkleTree } from '../../src/ledger/merkle.js';
import { inclusionProof } from '../../src/ledger/merkle-proofs.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { buildLedger, sessionName } from './fixture.js';

/** `vigil verify ARGS` in a process of its own whose heap is `heapMb`: its exit status and output. */
function vigilProcess(heapMb: number, ...args: string[]) {
  const run = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, '--import', 'tsx', 'src/cli/run.ts', 'verify', ...args],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return { status: run.status, signal: run.signal, out: run.stdout, err: run.stderr };
}

/**
 * A session of `n` events with payloads of `payloadChars`, signed with a key of its own, written to
 * `file` a piece at a time (the test itself must not hold it whole either).
 */
function writeLargeBundle(file: string, n: number, payloadChars: number): void {
  const signer = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const identity = { groups: ['ai-eng'], kind: 'user', subject: 'bob@example.com' };
  const session = 'sess-large';
  const payload = (i: number) => ({ prompt: `${i}:${'x'.repeat(payloadChars)}` });
  const hashes: string[] = [];
  const headers: { type: string; time: string; payload_hash: string; prev_hash: string }[] = [];
  let prev = GENESIS_HASH;
  for (let i = 0; i < n; i++) {
    const type = i === n - 1 ? 'session.end' : 'llm.request';
    const time = new Date(Date.UTC(2025, 0, 1) + i).toISOString();
    const payload_hash = payloadHash(payload(i));
    const header = encodeHeaderWith(type, session, i, time, 'openai', canonicalJson(identity), payload_hash);
    const hash = chainHashOf(prev, header);
    headers.push({ type, time, payload_hash, prev_hash: prev });
    hashes.push(hash);
    prev = hash;
  }
  const tree = new MerkleTree(hashes.map((h) => leafHashFromHex(h)));
  const cp = signCheckpoint(signer, n, tree.root().toString('hex'), '2025-01-02T00:00:00.000Z');
  const key = entryOf(signer);
  const checkpoint = {
    key_id: cp.keyId,
    root: cp.root,
    signature: cp.signature,
    size: cp.size,
    time: cp.time,
  };
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, `{"checkpoint":${canonicalJson(checkpoint)},"events":[`);
    for (let i = 0; i < n; i++) {
      const h = headers[i]!;
      const event = {
        connection: 'openai',
        hash: hashes[i],
        identity,
        index: i,
        payload: payload(i),
        payload_hash: h.payload_hash,
        prev_hash: h.prev_hash,
        proof: inclusionProof(tree, i).map((d) => d.toString('hex')),
        seq: i,
        session,
        time: h.time,
        type: h.type,
      };
      writeSync(fd, `${i === 0 ? '' : ','}${canonicalJson(event)}`);
    }
    const tail = { format: 'vigil-bundle', public_key: { key_id: key.keyId, public_key: key.publicKey } };
    writeSync(fd, `],${canonicalJson(tail).slice(1, -1)},"session":"${session}","v":1}\n`);
  } finally {
    closeSync(fd);
  }
}

test('vigil verify --bundle checks a bundle far larger than its heap, and turns huge junk away at once', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-stream-'));
  try {
    // 6,000 events of 16 KiB: a 100 MB bundle, verified with a 96 MB heap.
    const large = join(dir, 'large.json');
    writeLargeBundle(large, 6_000, 16 * 1024);
    const checked = vigilProcess(96, '--bundle', large, '--json');
    assert.equal(checked.status, 0, `${checked.signal ?? ''} ${checked.err.slice(-400)}`);
    const report = JSON.parse(checked.out);
    assert.equal(report.ok, true);
    assert.equal(report.events, 6_000);
    assert.equal(report.complete, true);
    assert.equal(report.session, 'sess-large');

    // The same file with one payload byte changed deep inside: named, not crashed.
    const bytes = readFileSync(large);
    const at = bytes.indexOf('"prompt":"4321:') + 20;
    bytes[at] = 'y'.charCodeAt(0);
    writeFileSync(large, bytes);
    const changed = vigilProcess(96, '--bundle', large);
    assert.equal(changed.status, 1, `${changed.signal ?? ''} ${changed.err.slice(-400)}`);
    assert.match(changed.out, /TAMPERED \[payload_mismatch\] at event 4321/);

    // 120 MB of small objects where the events go: junk, reported as soon as the first is read.
    const junk = join(dir, 'junk.json');
    const fd = openSync(junk, 'w');
    const head = readFileSync(large).subarray(0, 4096).toString();
    writeSync(fd, `${head.slice(0, head.indexOf(',"events":['))},"events":[`);
    const chunk = '{"a":0},'.repeat(1_000_000);
    for (let i = 0; i < 15; i++) writeSync(fd, chunk);
    writeSync(fd, '{"a":0}]}');
    closeSync(fd);
    const turned = vigilProcess(96, '--bundle', junk, '--json');
    assert.equal(turned.status, 1, `${turned.signal ?? ''} ${turned.err.slice(-400)}`);
    assert.equal(JSON.parse(turned.out).fault.kind, 'bundle_malformed');

    // One value of 7.5 MB holding 2.5 million empty objects: parsing costs memory per value, so the
    // bound is on values too, not on bytes alone (128 MiB of these is past a 4 GB heap).
    const dense = join(dir, 'dense.json');
    writeFileSync(dense, `{"checkpoint":[${'{},'.repeat(2_500_000)}{}]}`);
    const refused = vigilProcess(96, '--bundle', dense, '--json');
    assert.equal(refused.status, 1, `${refused.signal ?? ''} ${refused.err.slice(-400)}`);
    assert.match(JSON.parse(refused.out).fault.message, /of more than 4194304 JSON values/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A real ledger's bundle with a purge record in it (so every member is there), as exported. */
async function purgedBundle(): Promise<string> {
  const ledger = await buildLedger({ order: [0, 1, 0, 0, 1], checkpointsAfter: [], ended: new Set([0]) });
  await purgeRecorded(ledger.store, '2025-01-01T00:00:01.500Z', null);
  const recorder = new Recorder(ledger.store.ledger);
  await recorder.init();
  const checkpointer = new Checkpointer({
    store: ledger.store.ledger,
    recorder,
    signer: ledger.keys.signer,
    anchorFile: ledger.anchor,
  });
  await checkpointer.start();
  await checkpointer.stop();
  const text = await exportBundle(ledger.store.ledger, sessionName(0), ledger.keys.keyring);
  await ledger.store.close();
  return text;
}

test('read a chunk at a time, cut anywhere, a bundle gets the report it gets read whole', async () => {
  const text = await purgedBundle();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-cut-'));
  try {
    const file = join(dir, 'b.json');
    const whole = verifyBundle(text);
    assert.equal(whole.ok, true, JSON.stringify(whole.fault));
    assert.ok(whole.purged > 0 && whole.purgeRecords.length > 0);
    for (const spelled of [text, `${text}\n`]) {
      writeFileSync(file, spelled);
      for (const chunkBytes of [1, 2, 3, 5, 64, 1000, 1 << 20]) {
        assert.deepEqual(
          await verifyBundleStream(file, undefined, { chunkBytes }),
          whole,
          `chunk ${chunkBytes}`,
        );
      }
    }
    // Not canonical, each in its own way: whitespace, a second newline, a member missing, a
    // duplicated one, a byte order mark, text after the end.
    const variants = [
      text.replace('{"checkpoint":', '{ "checkpoint":'),
      `${text}\n\n`,
      text.replace(/,"format":"vigil-bundle"/, ''),
      text.replace(',"v":1}', ',"v":1,"v":1}'),
      `\ufeff${text}`,
      `${text}{}`,
      text.slice(0, -1),
      '',
    ];
    for (const variant of variants) {
      writeFileSync(file, variant);
      const report = await verifyBundleStream(file, undefined, { chunkBytes: 7 });
      assert.equal(report.ok, false, variant.slice(0, 40));
      assert.equal(verifyBundle(variant).ok, false);
    }
    // A value past the bound for one event.
    writeFileSync(file, text);
    const bounded = await verifyBundleStream(file, undefined, { maxPartBytes: 200 });
    assert.equal(bounded.fault?.kind, 'bundle_malformed');
    assert.match(bounded.fault?.message ?? '', /at byte \d+ of more than 200 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('any changed byte fails the bundle read a chunk at a time, as it fails it read whole', async () => {
  const text = await purgedBundle();
  const bundle = Buffer.from(text);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bundle-flip-'));
  try {
    const file = join(dir, 'b.json');
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: bundle.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 1, max: 64 }),
        async (at, mask, chunkBytes) => {
          const changed = Buffer.from(bundle);
          changed[at]! ^= mask;
          writeFileSync(file, changed);
          const report = await verifyBundleStream(file, undefined, { chunkBytes });
          assert.equal(report.ok, false, `byte ${at} changed unnoticed`);
        },
      ),
      { numRuns: 150 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
