// A store holding two checkpoints of one size, attacked as an operator holding the log's key and
// the database would: the ledger is rewritten under the same key and origin (the witness refuses to
// cosign it), the honest ledger's cosigned note is put back, and the honest checkpoint of that size
// is stored beside the rewritten one (the schema's primary key dropped first). Verification must
// check every stored checkpoint, not one per size, or the witnessed root reads as held.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../support/cli.js';
import { startTestGateway } from '../support/gateway.js';
import { configFile, record, SQLITE_FILE, witnessedLedger } from './witness-process.js';

const ORIGIN = 'vigil.test/duplicated';
const WITNESS = 'witness.test/dup';
const KEY_ENV = 'VIGIL_TEST_DUPLICATED_KEY';

test('a rewritten ledger with the honest checkpoint stored beside its own is tampered, not witnessed', async () => {
  const settings = await witnessedLedger(ORIGIN, WITNESS, KEY_ENV);
  const honest = await startTestGateway(settings);
  try {
    await record(honest, 7, 'a');
    await honest.checkpointer.checkpointNow();
    await record(honest, 5, 'b');
    await honest.checkpointer.checkpointNow();
    for (let i = 0; i < 100; i++) {
      if ((await (await fetch(`${honest.url}/checkpoint`)).text()).includes(WITNESS)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await honest.close();
  }
  const rewritten = await startTestGateway(settings);
  try {
    await record(rewritten, 12, 'forged');
    await rewritten.checkpointer.checkpointNow();
  } finally {
    await rewritten.close();
  }
  copyFileSync(
    join(honest.dataDir, 'checkpoint-cosigned.txt'),
    join(rewritten.dataDir, 'checkpoint-cosigned.txt'),
  );
  const config = configFile(rewritten.dataDir, settings);
  const caught = await runCli(['-c', config, 'verify']);
  assert.match(caught.stdout, /TAMPERED \[witnessed_checkpoint\]: witnesses saw another root for size 12/);

  // The honest checkpoint of size 12 (validly signed) goes in first, the rewritten one after it.
  const source = new Database(join(honest.dataDir, SQLITE_FILE), { readonly: true });
  const honestRow = source.prepare('SELECT * FROM checkpoints WHERE size = 12').get() as Record<
    string,
    unknown
  >;
  source.close();
  assert.ok(honestRow, 'the honest ledger has a checkpoint of size 12');
  const db = new Database(join(rewritten.dataDir, SQLITE_FILE));
  db.exec(`
    CREATE TABLE checkpoints_loose (size INTEGER, root TEXT, time TEXT, key_id TEXT, signature TEXT);
  `);
  db.prepare(
    'INSERT INTO checkpoints_loose (size, root, time, key_id, signature) VALUES (@size, @root, @time, @key_id, @signature)',
  ).run(honestRow);
  db.exec(`
    INSERT INTO checkpoints_loose SELECT size, root, time, key_id, signature FROM checkpoints;
    DROP TABLE checkpoints;
    ALTER TABLE checkpoints_loose RENAME TO checkpoints;
  `);
  db.close();

  const verified = await runCli(['-c', config, 'verify']);
  assert.equal(verified.code, 1, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /TAMPERED \[root_mismatch\] at checkpoint 12/);
  assert.doesNotMatch(verified.stdout, new RegExp(`witness: ${WITNESS} cosigned`));
});
