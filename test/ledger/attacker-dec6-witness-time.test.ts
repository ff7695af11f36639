// A witness the operator configured, turned hostile (or merely broken): its cosignatures verify
// with its key but carry a timestamp past any date (the spec's u64 seconds, here 2^45, year
// ~1.1 million). The gateway kept such a line in its cosigned checkpoint, and `vigil verify` then
// threw (RangeError: Invalid time value) on every run, with a stack trace instead of a report, so
// one witness could take offline verification away from the ledger's auditors. A cosignature dated
// past what a date can show is now no cosignature: the gateway does not keep it, and verify reports
// that witness as missing.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cosign } from '../../src/ledger/cosignature.js';
import { cosignedCheckpointPath } from '../../src/ledger/cosigned-checkpoint.js';
import { parseSigningKey } from '../../src/ledger/keyring.js';
import { encodeVerifierKey, parseNote, SIGNATURE_TYPE } from '../../src/ledger/signed-note.js';
import { parseAddCheckpoint } from '../../src/ledger/tlog-witness-request.js';
import { runCli } from '../support/cli.js';
import { startTestGateway } from '../support/gateway.js';
import { configFile, ledgerSettings, record } from '../witness/witness-process.js';

const ORIGIN = 'vigil.test/far-future';
const WITNESS = 'witness.test/far-future';
const KEY_ENV = 'VIGIL_TEST_FAR_FUTURE_KEY';
process.env[KEY_ENV] = randomBytes(32).toString('hex');
parseSigningKey(process.env[KEY_ENV]!);
/** 2^45 seconds: a valid u64 and a safe integer, but past the last date JavaScript can show (8.64e12 s). */
const FAR_FUTURE = 2 ** 45;

/** A tlog-witness that cosigns anything it is sent, dated FAR_FUTURE; `answered` settles on its first 200. */
async function farFutureWitness() {
  const keys = generateKeyPairSync('ed25519');
  let answered: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    answered = resolve;
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = parseAddCheckpoint(Buffer.concat(chunks).toString('utf8'));
      const note = request && parseNote(request.note);
      if (!note) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(cosign(note.text, WITNESS, keys.privateKey, keys.publicKey, FAR_FUTURE));
      answered();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const vkey = encodeVerifierKey(WITNESS, keys.publicKey, SIGNATURE_TYPE.cosignatureV1);
  return { url, vkey, keys, first, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('a cosignature dated past any date is not kept by the gateway, and verify reports, not throws', async () => {
  const witness = await farFutureWitness();
  const settings = ledgerSettings(ORIGIN, KEY_ENV, witness);
  const gateway = await startTestGateway(settings);
  let note = '';
  try {
    await record(gateway, 4, 'far');
    await gateway.checkpointer.checkpointNow();
    await witness.first;
    // The client judges the answer right after it arrives; give it a moment to keep (or refuse) it.
    await new Promise((r) => setTimeout(r, 300));
    note = gateway.checkpointer.latestNote ?? '';
  } finally {
    await gateway.close();
    await witness.close();
  }
  assert.match(note, /^vigil\.test\/far-future\n4\n/);
  const config = configFile(gateway.dataDir, settings);
  const plain = await runCli(['-c', config, 'verify']);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  assert.doesNotMatch(plain.stderr, /RangeError|Invalid time value/);
  assert.equal(
    existsSync(cosignedCheckpointPath(gateway.dataDir)),
    false,
    'the far-future cosignature was kept as a valid one',
  );

  // The same line in a note the auditor saved (GET /checkpoint of the old gateway served it): the
  // checkpoint is the ledger's and held, the witness's line is no cosignature.
  const saved = join(mkdtempSync(join(tmpdir(), 'vigil-monitor-')), 'checkpoint.txt');
  const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
  writeFileSync(
    saved,
    `${note}${cosign(text, WITNESS, witness.keys.privateKey, witness.keys.publicKey, FAR_FUTURE)}`,
  );
  const given = await runCli(['-c', config, 'verify', '--checkpoint', saved]);
  assert.equal(given.code, 0, given.stdout + given.stderr);
  assert.doesNotMatch(given.stderr, /RangeError|Invalid time value/);
  assert.match(
    given.stdout,
    /^ *unwitnessed checkpoint: size 4 \(the latest\), none of the configured witnesses cosigned it$/m,
  );
  assert.match(given.stdout, /witness: witness\.test\/far-future missing/);
});
