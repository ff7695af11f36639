// Two `vigil witness serve` processes on one directory, as a second start before the first stopped
// or two replicas on a shared volume would be. Each judges from the heads it holds in memory, so a
// log holding its key could get one a history and the other a different one of the same size, both
// cosigned by the same witness key: a split view. The second process must refuse to start.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { leafHash, MerkleTree } from '../../src/ledger/merkle.js';
import { checkpointNote } from '../../src/ledger/tlog-checkpoint.js';
import { encodeAddCheckpoint } from '../../src/ledger/tlog-witness-request.js';
import { startWitness, type WitnessProcess } from './witness-process.js';

const ORIGIN = 'vigil.test/locked';
const WITNESS = 'witness.test/lock';
const logKey = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
const started: WitnessProcess[] = [];
after(() => {
  for (const w of started) w.child.kill('SIGTERM');
});

/** A checkpoint of `n` leaves of one history, as the log signs it, for a first contact. */
function firstContact(n: number, history: string): string {
  const tree = new MerkleTree(
    Array.from({ length: n }, (_, i) => leafHash(Buffer.alloc(32, `${history}${i}`))),
  );
  const note = checkpointNote(logKey, ORIGIN, tree.size, tree.root().toString('hex'));
  return encodeAddCheckpoint({ oldSize: 0, proof: [], note });
}

test('a second witness process on the same directory refuses to start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-witness-'));
  const first = await startWitness(dir, WITNESS, ORIGIN, logKey);
  started.push(first);
  let second: WitnessProcess | null = null;
  const refusal = await startWitness(dir, WITNESS, ORIGIN, logKey).then(
    (w) => {
      second = w;
      started.push(w);
      return null;
    },
    (err: Error) => err.message,
  );
  if (second !== null) {
    // Both run: show the split view they allow.
    const post = async (w: WitnessProcess, body: string) =>
      (await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body })).status;
    const a = await post(first, firstContact(10, 'a'));
    const b = await post(second, firstContact(10, 'b'));
    assert.fail(`two witnesses on one directory cosigned two histories of size 10 (answers ${a}, ${b})`);
  }
  assert.match(refusal ?? '', /exited with 2/);

  // Once the first has stopped, the directory is free again (its lock goes with it).
  first.child.kill('SIGTERM');
  await new Promise((resolve) => first.child.once('exit', resolve));
  const next = await startWitness(dir, WITNESS, ORIGIN, logKey);
  started.push(next);
  assert.equal((await fetch(`${next.url}/vkey`)).status, 200);
});

test('a lock left by a witness that crashed is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-witness-'));
  const crashed = await startWitness(dir, WITNESS, ORIGIN, logKey);
  crashed.child.kill('SIGKILL');
  await new Promise((resolve) => crashed.child.once('exit', resolve));
  const next = await startWitness(dir, WITNESS, ORIGIN, logKey);
  started.push(next);
  assert.equal((await fetch(`${next.url}/vkey`)).status, 200);
});
