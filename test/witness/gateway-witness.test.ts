// A gateway asks a real `vigil witness serve` process to cosign its checkpoints; /checkpoint then
// carries the cosignature and `vigil verify` names the witness. A rewritten ledger under the same key
// gets no cosignature, and a witnessed checkpoint the store does not hold is reported as tampering.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseSigningKey } from '../../src/ledger/keyring.js';
import { parseVerifierKey } from '../../src/ledger/signed-note.js';
import { independentCosignatureTime, independentlyVerify } from '../support/c2sp-verifier.js';
import { runCli } from '../support/cli.js';
import { startTestGateway } from '../support/gateway.js';
import { configFile, ledgerSettings, record, startWitness } from './witness-process.js';

const ORIGIN = 'vigil.test/witnessed';
const WITNESS = 'witness.test/w1';
const KEY_ENV = 'VIGIL_TEST_WITNESSED_KEY';
const seed = randomBytes(32).toString('hex');
process.env[KEY_ENV] = seed;
const logKey = parseSigningKey(seed);

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGTERM');
});

const ledgerSettingsFor = (witness: { url: string; vkey: string }) =>
  ledgerSettings(ORIGIN, KEY_ENV, witness);

test('checkpoints are cosigned by a real witness; a rewritten ledger is not; verify names both', async () => {
  const witness = await startWitness(mkdtempSync(join(tmpdir(), 'vigil-witness-')), WITNESS, ORIGIN, logKey);
  children.push(witness.child);
  const gateway = await startTestGateway(ledgerSettingsFor(witness));
  let cosignedNote = '';
  try {
    await record(gateway, 7, 'a');
    await gateway.checkpointer.checkpointNow();
    await record(gateway, 5, 'b');
    await gateway.checkpointer.checkpointNow();
    // Cosigning runs beside recording; wait for the witness's line to reach /checkpoint.
    for (let i = 0; i < 100 && !cosignedNote.includes(WITNESS); i++) {
      cosignedNote = await (await fetch(`${gateway.url}/checkpoint`)).text();
      if (!cosignedNote.includes(WITNESS)) await new Promise((r) => setTimeout(r, 100));
    }
    const text = cosignedNote.slice(0, cosignedNote.lastIndexOf('\n\n') + 1);
    assert.equal(independentlyVerify(cosignedNote, ORIGIN, logKey.publicKey).size, 12);
    const at = independentCosignatureTime(
      text,
      cosignedNote,
      WITNESS,
      parseVerifierKey(witness.vkey)!.publicKey,
    );
    assert.ok(at !== null && Math.abs(at - Date.now() / 1000) < 600, `cosigned at ${at}`);
  } finally {
    await gateway.close();
  }
  const verified = await runCli(['-c', configFile(gateway.dataDir, ledgerSettingsFor(witness)), 'verify']);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /witnessed checkpoint: size 12 \(the latest\)/);
  assert.match(verified.stdout, new RegExp(`witness: ${WITNESS} cosigned at 20`));

  // The operator starts over with a rewritten history under the same key and origin.
  const rewritten = await startTestGateway(ledgerSettingsFor(witness));
  try {
    await record(rewritten, 12, 'forged');
    await rewritten.checkpointer.checkpointNow();
  } finally {
    await rewritten.close();
  }
  const served = await runCli(['-c', configFile(rewritten.dataDir, ledgerSettingsFor(witness)), 'verify']);
  assert.match(served.stdout, /witnesses: no cosigned checkpoint kept/, served.stdout);

  // Passing the honest ledger's cosigned checkpoint off as the rewritten one's is caught.
  copyFileSync(
    join(gateway.dataDir, 'checkpoint-cosigned.txt'),
    join(rewritten.dataDir, 'checkpoint-cosigned.txt'),
  );
  const caught = await runCli(['-c', configFile(rewritten.dataDir, ledgerSettingsFor(witness)), 'verify']);
  assert.equal(caught.code, 1, caught.stdout);
  assert.match(caught.stdout, /TAMPERED \[witnessed_checkpoint\]: witnesses saw another root for size 12/);
});
