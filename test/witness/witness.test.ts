// The witness judges add-checkpoint requests as c2sp.org/tlog-witness says: it cosigns only a
// checkpoint signed by the log's key and consistent with the last one it cosigned, so a rolled-back
// or forked log gets no cosignature. Cosignatures are checked by a verifier written from
// c2sp.org/tlog-cosignature here, not by Vigil's own code.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { type Digest, leafHash, MerkleTree } from '../../src/ledger/merkle.js';
import { consistencyProof } from '../../src/ledger/merkle-proofs.js';
import { parseVerifierKey } from '../../src/ledger/signed-note.js';
import { checkpointNote, checkpointVerifierKey } from '../../src/ledger/tlog-checkpoint.js';
import { encodeAddCheckpoint, parseAddCheckpoint } from '../../src/ledger/tlog-witness-request.js';
import { Witness } from '../../src/witness/witness.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { independentCosignatureTime } from '../support/c2sp-verifier.js';

const ORIGIN = 'vigil.test/log';

function leaves(n: number, salt = ''): Digest[] {
  return Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(`${salt}${i}`).digest()));
}

function setup(dir = mkdtempSync(join(tmpdir(), 'vigil-witness-'))) {
  const log = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const witnessKeys = generateKeyPairSync('ed25519');
  const make = (d: string) =>
    new Witness({
      name: 'witness.test/w1',
      privateKey: witnessKeys.privateKey,
      publicKey: witnessKeys.publicKey,
      logs: [parseVerifierKey(checkpointVerifierKey(log, ORIGIN))!],
      state: new WitnessState(join(d, 'state.json')),
      now: () => 1_800_000_000_000,
    });
  const noteFor = (tree: MerkleTree, key = log, origin = ORIGIN) =>
    checkpointNote(key, origin, tree.size, tree.root().toString('hex'));
  return { dir, log, witnessKeys, witness: make(dir), reopen: () => make(dir), noteFor };
}

const textOf = (note: string) => note.slice(0, note.lastIndexOf('\n\n') + 1);

test('a witness cosigns a consistent log, and refuses rollbacks, forks and bad proofs', async () => {
  const { witness, witnessKeys, noteFor, reopen } = setup();
  const all = leaves(40);
  const t10 = new MerkleTree(all.slice(0, 10));
  const t25 = new MerkleTree(all.slice(0, 25));
  const t40 = new MerkleTree(all);

  // First contact: old size 0, empty proof.
  const first = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 0, proof: [], note: noteFor(t10) }),
  );
  assert.equal(first.status, 200);
  assert.equal(
    independentCosignatureTime(textOf(noteFor(t10)), first.body, 'witness.test/w1', witnessKeys.publicKey),
    1_800_000_000,
  );

  // A client that does not know the witness's size learns it from the 409.
  const stale = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 0, proof: [], note: noteFor(t25) }),
  );
  assert.deepEqual([stale.status, stale.contentType, stale.body], [409, 'text/x.tlog.size', '10\n']);

  const grown = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 10, proof: consistencyProof(t25, 10), note: noteFor(t25) }),
  );
  assert.equal(grown.status, 200);

  // A fork: another history of 40 leaves whose first 25 differ; its proof cannot verify.
  const forked = new MerkleTree([...leaves(25, 'other'), ...all.slice(25)]);
  const fork = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 25, proof: consistencyProof(forked, 25), note: noteFor(forked) }),
  );
  assert.equal(fork.status, 422);

  // The same size with another root is a fork too.
  const sameSize = new MerkleTree(leaves(25, 'x'));
  const split = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 25, proof: [], note: noteFor(sameSize) }),
  );
  assert.equal(split.status, 409);

  // A rollback: a checkpoint smaller than the one cosigned, even after the witness restarts.
  const rolledBack = await reopen().addCheckpoint(
    encodeAddCheckpoint({ oldSize: 25, proof: [], note: noteFor(t10) }),
  );
  assert.equal(rolledBack.status, 400);

  // The honest log goes on, across the restart.
  const next = await reopen().addCheckpoint(
    encodeAddCheckpoint({ oldSize: 25, proof: consistencyProof(t40, 25), note: noteFor(t40) }),
  );
  assert.equal(next.status, 200);
});

test('a witness refuses what its log did not sign, unknown logs, and malformed requests', async () => {
  const { witness, noteFor } = setup();
  const tree = new MerkleTree(leaves(5));
  const stranger = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const forged = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 0, proof: [], note: noteFor(tree, stranger) }),
  );
  assert.equal(forged.status, 403);
  const unknown = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 0, proof: [], note: noteFor(tree, stranger, 'other.test/log') }),
  );
  assert.equal(unknown.status, 404);
  for (const body of [
    '',
    'old 01\n\nx',
    'old 0\nnot-base64!\n\nx',
    `old 0\n\n${noteFor(tree).replace('\u2014', '-')}`,
  ]) {
    assert.equal((await witness.addCheckpoint(body)).status, 400, JSON.stringify(body));
  }
  const tooBig = await witness.addCheckpoint(
    encodeAddCheckpoint({ oldSize: 9, proof: [], note: noteFor(tree) }),
  );
  assert.equal(tooBig.status, 400);
});

test('property: add-checkpoint requests round-trip and the parser never throws', () => {
  fc.assert(
    fc.property(
      fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 63 }),
      (oldSize, proofBytes) => {
        const proof = proofBytes.map((b) => Buffer.from(b));
        const note = 'o\n1\nAAAA\n\n\u2014 o AAAAAA==\n';
        assert.deepEqual(parseAddCheckpoint(encodeAddCheckpoint({ oldSize, proof, note })), {
          oldSize,
          proof,
          note,
        });
      },
    ),
  );
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => void parseAddCheckpoint(s)));
  const tooManyLines = encodeAddCheckpoint({
    oldSize: 1,
    proof: Array.from({ length: 64 }, () => randomBytes(32)),
    note: 'x',
  });
  assert.equal(parseAddCheckpoint(tooManyLines), null);
});
