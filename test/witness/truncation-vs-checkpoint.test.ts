// Tail truncation by someone who can write the data directory (the database, the anchor beside it,
// the kept cosigned note): the last session, the checkpoint over it and its anchor line are cut,
// and the kept note deleted. The ledger left verifies; only a checkpoint kept elsewhere shows the
// cut. `vigil verify --checkpoint FILE` takes one (the cosigned note of GET /checkpoint, saved by a
// monitor) and requires the ledger to hold it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../support/cli.js';
import { startTestGateway } from '../support/gateway.js';
import { configFile, record, SQLITE_FILE, witnessedLedger } from './witness-process.js';

const ORIGIN = 'vigil.test/truncated';
const WITNESS = 'witness.test/trunc';
const KEY_ENV = 'VIGIL_TEST_TRUNCATED_KEY';

test('a tail cut with its checkpoint and anchor line is caught against a checkpoint kept elsewhere', async () => {
  const settings = await witnessedLedger(ORIGIN, WITNESS, KEY_ENV);
  const gateway = await startTestGateway(settings);
  const monitor = mkdtempSync(join(tmpdir(), 'vigil-monitor-'));
  const saved = join(monitor, 'checkpoint.txt');
  try {
    await record(gateway, 7, 'kept');
    await gateway.checkpointer.checkpointNow();
    await record(gateway, 5, 'cut');
    await gateway.checkpointer.checkpointNow();
    // A monitor saves the cosigned checkpoint the gateway serves, away from the data directory.
    let note = '';
    for (let i = 0; i < 100 && !note.includes(WITNESS); i++) {
      note = await (await fetch(`${gateway.url}/checkpoint`)).text();
      if (!note.includes(WITNESS)) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(note, /^vigil\.test\/truncated\n12\n/);
    writeFileSync(saved, note);
  } finally {
    await gateway.close();
  }
  const config = configFile(gateway.dataDir, settings);
  const before = await runCli(['-c', config, 'verify', '--checkpoint', saved]);
  assert.equal(before.code, 0, before.stdout + before.stderr);
  assert.match(before.stdout, /witnessed checkpoint: size 12 \(the latest\)/);

  // The cut: the last session's events and record, the checkpoint over them, its anchor line, the kept note.
  const db = new Database(join(gateway.dataDir, SQLITE_FILE));
  db.exec(`
    DELETE FROM events WHERE session_id = 'ses_cut';
    DELETE FROM sessions WHERE id = 'ses_cut';
    DELETE FROM checkpoints WHERE size = 12;
  `);
  db.close();
  const anchor = join(gateway.dataDir, 'anchor.jsonl');
  const lines = readFileSync(anchor, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  writeFileSync(anchor, `${lines.filter((l) => !l.includes('"size":12')).join('\n')}\n`);
  rmSync(join(gateway.dataDir, 'checkpoint-cosigned.txt'));

  const unseen = await runCli(['-c', config, 'verify']);
  assert.equal(unseen.code, 0, `without a checkpoint kept elsewhere the cut is invisible:\n${unseen.stdout}`);

  const caught = await runCli(['-c', config, 'verify', '--checkpoint', saved]);
  assert.equal(caught.code, 1, caught.stdout + caught.stderr);
  assert.match(
    caught.stdout,
    /TAMPERED \[witnessed_checkpoint\]: .*size 12 that the stored ledger does not have/,
  );

  // A note that is not a checkpoint signed by the ledger's key under its origin proves nothing.
  const forged = join(monitor, 'forged.txt');
  writeFileSync(forged, readFileSync(saved, 'utf8').replace('\n12\n', '\n13\n'));
  const refused = await runCli(['-c', config, 'verify', '--checkpoint', forged]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /not signed by the ledger's key/);

  // A bundle is not the log a kept note is about: the two together are refused, not half checked.
  const mixed = await runCli(['verify', '--bundle', saved, '--checkpoint', saved]);
  assert.equal(mixed.code, 2, mixed.stdout + mixed.stderr);
});
