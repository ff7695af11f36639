// What `vigil verify` makes of the kept cosigned checkpoint (witness-report.ts), attacked as an
// operator holding the log's key would: a rewritten history cannot be cosigned under the log's own
// origin (the witness remembers the old tree), so it is cosigned under another origin the same
// witness follows for the same key, and the note is relabelled.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SignedCheckpoint } from '../../src/core/ports.js';
import { cosign as cosignLine } from '../../src/ledger/cosignature.js';
import { signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { leafHash, MerkleTree } from '../../src/ledger/merkle.js';
import { parseVerifierKey, SIGNATURE_TYPE, signNote } from '../../src/ledger/signed-note.js';
import { checkpointVerifierKey, encodeCheckpointBody } from '../../src/ledger/tlog-checkpoint.js';
import { encodeAddCheckpoint } from '../../src/ledger/tlog-witness-request.js';
import { witnessReport } from '../../src/ledger/witness-report.js';
import { Witness } from '../../src/witness/witness.js';
import { WitnessState } from '../../src/witness/witness-state.js';

const ORIGIN = 'vigil.test/log';
const OTHER = 'vigil.test/other';
const WITNESS = 'witness.test/w1';

test('a cosignature made for another log origin does not vouch for this ledger', async () => {
  const log = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const witnessKeys = generateKeyPairSync('ed25519');
  // The witness follows two logs that happen to share the key (a second ledger of the same operator).
  const witness = new Witness({
    name: WITNESS,
    privateKey: witnessKeys.privateKey,
    publicKey: witnessKeys.publicKey,
    logs: [
      parseVerifierKey(checkpointVerifierKey(log, ORIGIN))!,
      parseVerifierKey(checkpointVerifierKey(log, OTHER))!,
    ],
    state: new WitnessState(join(mkdtempSync(join(tmpdir(), 'vigil-witness-')), 'state.json')),
    now: () => 1_800_000_000_000,
  });
  // The rewritten history: cosigned under the other origin, where the witness has seen nothing yet.
  const tree = new MerkleTree(
    Array.from({ length: 7 }, (_, i) => leafHash(createHash('sha256').update(`forged ${i}`).digest())),
  );
  const root = tree.root().toString('hex');
  /** The witness's cosignature lines for the checkpoint `body`, signed by the log under `origin`. */
  const cosign = async (body: string, origin: string): Promise<string> => {
    const note = signNote(body, origin, log.privateKey, log.publicKey);
    const answer = await witness.addCheckpoint(encodeAddCheckpoint({ oldSize: 0, proof: [], note }));
    assert.equal(answer.status, 200);
    return answer.body;
  };
  const text = encodeCheckpointBody(OTHER, tree.size, root);
  // Relabelled: the log's signature under this ledger's origin name, over the other origin's text.
  const note = `${signNote(text, ORIGIN, log.privateKey, log.publicKey)}${await cosign(text, OTHER)}`;
  const stored: SignedCheckpoint[] = [{ size: tree.size, root, time: '', keyId: log.keyId, signature: '' }];
  const logKey = parseVerifierKey(checkpointVerifierKey(log, ORIGIN))!;
  const witnessKey = { name: WITNESS, type: SIGNATURE_TYPE.cosignatureV1, publicKey: witnessKeys.publicKey };
  const report = witnessReport(note, [logKey], [witnessKey], stored);
  assert.match(report.problem ?? '', /origin/);
  assert.equal(report.witnesses[0]?.cosignedAt ?? null, null);

  // The same checkpoint under this ledger's own origin is sound.
  const own = encodeCheckpointBody(ORIGIN, tree.size, root);
  const ownNote = `${signNote(own, ORIGIN, log.privateKey, log.publicKey)}${await cosign(own, ORIGIN)}`;
  const sound = witnessReport(ownNote, [logKey], [witnessKey], stored);
  assert.equal(sound.problem, null);
  assert.notEqual(sound.witnesses[0]?.cosignedAt ?? null, null);
});

test('a witnessed size counts as held only when every stored checkpoint of that size has its root', () => {
  const log = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const witnessKeys = generateKeyPairSync('ed25519');
  const tree = new MerkleTree(
    Array.from({ length: 5 }, (_, i) => leafHash(createHash('sha256').update(`honest ${i}`).digest())),
  );
  const root = tree.root().toString('hex');
  const text = encodeCheckpointBody(ORIGIN, tree.size, root);
  const note = `${signNote(text, ORIGIN, log.privateKey, log.publicKey)}${cosignLine(text, WITNESS, witnessKeys.privateKey, witnessKeys.publicKey, 1_800_000_000)}`;
  const logKey = parseVerifierKey(checkpointVerifierKey(log, ORIGIN))!;
  const witnessKey = { name: WITNESS, type: SIGNATURE_TYPE.cosignatureV1, publicKey: witnessKeys.publicKey };
  const honest: SignedCheckpoint = { size: tree.size, root, time: '', keyId: log.keyId, signature: '' };
  const rewritten: SignedCheckpoint = { ...honest, root: 'f'.repeat(64) };
  // The honest checkpoint put back first, beside the rewritten history's (the primary key dropped).
  const report = witnessReport(note, [logKey], [witnessKey], [honest, rewritten]);
  assert.match(report.problem ?? '', /another root for size 5/);
  assert.equal(witnessReport(note, [logKey], [witnessKey], [honest]).problem, null);
});
