// What the installed `vigil verify` prints about a kept checkpoint note, and how it takes a path
// that names no file. Until 6 December a note that none of the configured witnesses cosigned (each
// listed as "missing") was still headed "witnessed checkpoint", and a mistyped --checkpoint or
// --keys path ended in a raw ENOENT stack trace instead of a usage error (exit code 2, `usage`).
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSigningKey } from '../../src/ledger/keyring.js';
import { encodeVerifierKey, SIGNATURE_TYPE } from '../../src/ledger/signed-note.js';
import { runCli } from '../support/cli.js';
import { startTestGateway } from '../support/gateway.js';
import { configFile, ledgerSettings, record } from '../witness/witness-process.js';

const ORIGIN = 'vigil.test/unwitnessed';
const WITNESS = 'witness.test/refusing';
const KEY_ENV = 'VIGIL_TEST_UNWITNESSED_KEY';
process.env[KEY_ENV] = randomBytes(32).toString('hex');
parseSigningKey(process.env[KEY_ENV]!);

/** A configured witness that refuses every checkpoint: no cosignature is ever collected. */
async function refusingWitness() {
  const keys = generateKeyPairSync('ed25519');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(403).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const vkey = encodeVerifierKey(WITNESS, keys.publicKey, SIGNATURE_TYPE.cosignatureV1);
  return { url, vkey, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a kept note no witness cosigned is not called witnessed; a missing file is a usage error', async () => {
  const witness = await refusingWitness();
  const settings = ledgerSettings(ORIGIN, KEY_ENV, witness);
  const gateway = await startTestGateway(settings);
  let note = '';
  try {
    await record(gateway, 4, 'unwitnessed');
    await gateway.checkpointer.checkpointNow();
    note = gateway.checkpointer.latestNote ?? '';
  } finally {
    await gateway.close();
    await witness.close();
  }
  assert.match(note, /^vigil\.test\/unwitnessed\n4\n/);
  const config = configFile(gateway.dataDir, settings);
  const monitor = mkdtempSync(join(tmpdir(), 'vigil-monitor-'));
  const saved = join(monitor, 'checkpoint.txt');
  writeFileSync(saved, note);

  const given = await runCli(['-c', config, 'verify', '--checkpoint', saved]);
  assert.equal(given.code, 0, given.stdout + given.stderr);
  assert.match(given.stdout, /witness: witness\.test\/refusing missing/);
  assert.doesNotMatch(given.stdout, /^ {2}witnessed checkpoint/m);
  assert.match(
    given.stdout,
    /^ {2}unwitnessed checkpoint: size 4 \(the latest\), none of the configured witnesses cosigned it$/m,
  );

  for (const option of ['--checkpoint', '--keys']) {
    const missing = join(monitor, 'no-such-file');
    const run = await runCli(['-c', config, 'verify', option, missing]);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.doesNotMatch(run.stderr, /ENOENT: no such file or directory, open[^\n]*\n\s+at /);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
    assert.match(
      run.stderr,
      new RegExp(`^vigil: cannot read the ${option} file ${missing}: .*ENOENT.*\\[usage\\]$`, 'm'),
    );
    assert.equal(run.stdout, '', 'nothing verified before the path was refused');
  }
});
