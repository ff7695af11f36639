// Checkpoints as C2SP signed notes. The verifier here is written from the specs
// (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), not from Vigil's code, as a monitor or witness
// written elsewhere would check them.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { ANONYMOUS } from '../../src/core/events.js';
import { signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { parseNote, parseVerifierKey } from '../../src/ledger/signed-note.js';
import {
  checkpointNote,
  checkpointVerifierKey,
  encodeCheckpointBody,
  openCheckpointNote,
  parseCheckpointBody,
} from '../../src/ledger/tlog-checkpoint.js';
import { independentlyVerify } from '../support/c2sp-verifier.js';
import { startTestGateway } from '../support/gateway.js';

function newKey() {
  return signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
}

test('a checkpoint note verifies with a verifier written from the spec, and names origin, size and root', () => {
  const key = newKey();
  const root = createHash('sha256').update('some tree').digest('hex');
  const note = checkpointNote(key, 'vigil.example.com/audit', 1234, root);
  const checked = independentlyVerify(note, 'vigil.example.com/audit', createPublicKey(key.privateKey));
  assert.deepEqual(checked, {
    ok: true,
    origin: 'vigil.example.com/audit',
    size: 1234,
    rootHex: root,
    rest: [],
  });
  // Another key under the same name does not verify.
  assert.equal(independentlyVerify(note, 'vigil.example.com/audit', newKey().publicKey).ok, false);
});

test('the vkey names the key as tlog tools expect, and opens only notes that key signed for its origin', () => {
  const key = newKey();
  const vkey = checkpointVerifierKey(key, 'vigil.example.com/audit');
  assert.match(vkey, /^vigil\.example\.com\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  const parsed = parseVerifierKey(vkey);
  assert.ok(parsed);
  const root = 'ab'.repeat(32);
  assert.deepEqual(openCheckpointNote(checkpointNote(key, 'vigil.example.com/audit', 7, root), parsed), {
    origin: 'vigil.example.com/audit',
    size: 7,
    root,
    extensions: [],
  });
  // The right key but another origin line: refused.
  const renamed = checkpointNote(key, 'vigil.example.com/other', 7, root);
  assert.equal(openCheckpointNote(renamed, parsed), null);
  // A vkey whose id does not match its key is refused outright.
  assert.equal(parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), null);
});

test('property: checkpoint bodies round-trip, and any altered byte of a note breaks it', () => {
  const key = newKey();
  const vkey = parseVerifierKey(checkpointVerifierKey(key, 'log.example/a'))!;
  fc.assert(
    fc.property(
      fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (size, rootBytes) => {
        const root = Buffer.from(rootBytes).toString('hex');
        const body = parseCheckpointBody(encodeCheckpointBody('log.example/a', size, root));
        assert.deepEqual(body, { origin: 'log.example/a', size, root, extensions: [] });
      },
    ),
  );
  const note = checkpointNote(key, 'log.example/a', 99, 'cd'.repeat(32));
  const bytes = Buffer.from(note, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const altered = Buffer.from(bytes);
    altered[i] = altered[i]! ^ 0x01;
    assert.equal(openCheckpointNote(altered.toString('utf8'), vkey), null, `byte ${i} altered still opened`);
  }
});

test('property: the note and body parsers never throw on arbitrary text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
      parseNote(text);
      parseCheckpointBody(text);
      parseVerifierKey(text);
    }),
  );
  // Malformed sizes and roots are refused, not misread.
  for (const bad of [
    'o\n01\nAAAA\n',
    'o\n-1\n' + Buffer.alloc(32).toString('base64') + '\n',
    'o\n1\nAAAA\n',
    '\n1\nx\n',
  ]) {
    assert.equal(parseCheckpointBody(bad), null, JSON.stringify(bad));
  }
});

test('the gateway serves its latest checkpoint at /checkpoint as a note over the ledger it verifies', async () => {
  const gateway = await startTestGateway({
    ledger: { origin: 'vigil.test/ledger', checkpoint_interval: 60_000 },
  });
  try {
    const before = await fetch(`${gateway.url}/checkpoint`);
    assert.equal(before.status, 404);
    assert.equal(((await before.json()) as { error: { code: string } }).error.code, 'checkpoint_none');
    for (let i = 0; i < 5; i++) {
      await gateway.recorder.append(
        {
          type: 'admin.action',
          sessionId: 'ses_tlog',
          connection: 'admin',
          identity: ANONYMOUS,
          time: new Date().toISOString(),
          payload: { n: i },
        },
        'admin',
      );
    }
    const cp = await gateway.checkpointer.checkpointNow();
    assert.ok(cp);
    const res = await fetch(`${gateway.url}/checkpoint`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const checked = independentlyVerify(
      await res.text(),
      'vigil.test/ledger',
      gateway.ledgerKeys.signer.publicKey,
    );
    assert.deepEqual(checked, { ok: true, origin: 'vigil.test/ledger', size: 5, rootHex: cp.root, rest: [] });
  } finally {
    await gateway.close();
  }
});
