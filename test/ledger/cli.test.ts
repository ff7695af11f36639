import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register as exportCommand } from '../../src/cli/commands/export.js';
import { register as keys } from '../../src/cli/commands/keys.js';
import { register as purge } from '../../src/cli/commands/purge.js';
import { register as verify } from '../../src/cli/commands/verify.js';
import { entryOf, signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { buildLedger, sessionName } from './fixture.js';
import { forgedBundle, rewriteHistory } from './forgery.js';

/** Runs the commands as `vigil` would (same global options), capturing stdout. */
async function vigil(dataDir: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const program = new Command('vigil').option('-c, --config <file>').option('--data <dir>').exitOverride();
  let code = 0;
  for (const register of [verify, exportCommand, keys, purge]) register(program, (c) => (code = c));
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['node', 'vigil', '--data', dataDir, ...args]);
  } finally {
    console.log = log;
  }
  return { code, out: lines.join('\n') };
}

test('verify, export, verify --bundle, keys, purge through the CLI', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  await ledger.store.close();
  const dir = ledger.dir;

  const intact = await vigil(dir, 'verify', '--json');
  assert.equal(intact.code, 0);
  assert.equal(JSON.parse(intact.out).events, 4);

  const bundle = join(dir, 'bundle.json');
  assert.equal((await vigil(dir, 'export', sessionName(0), '-o', bundle)).code, 0);
  const checked = await vigil(dir, 'verify', '--bundle', bundle);
  assert.equal(checked.code, 0, checked.out);
  assert.match(checked.out, /bundle intact/);
  const text = readFileSync(bundle, 'utf8');
  writeFileSync(bundle, text.replace('"seq":1', '"seq":2'));
  const bad = await vigil(dir, 'verify', '--bundle', bundle);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /TAMPERED \[/);

  const before = JSON.parse((await vigil(dir, 'keys', 'public', '--json')).out) as { key_id: string }[];
  assert.equal((await vigil(dir, 'keys', 'rotate')).code, 0);
  const after = JSON.parse((await vigil(dir, 'keys', 'public', '--json')).out) as { key_id: string }[];
  assert.equal(after.length, before.length + 1);
  assert.equal((await vigil(dir, 'verify')).code, 0, 'old checkpoints still verify after a rotation');

  const purged = await vigil(dir, 'purge', '--before', '2025-01-01T00:00:02Z', '--json');
  assert.equal(JSON.parse(purged.out).purged, 2);
  const afterPurge = await vigil(dir, 'verify');
  assert.equal(afterPurge.code, 0);
  assert.match(afterPurge.out, /purged payloads: 2/);

  writeFileSync(ledger.anchor, '');
  const cut = await vigil(dir, 'verify');
  assert.equal(cut.code, 1);
  assert.match(cut.out, /\[anchor_truncated\]/);
});

test('verify --keys: trust comes from keys the verifier holds, not from the data directory or the bundle', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [2], ended: new Set([0]) });
  const dir = ledger.dir;
  const keysFile = join(dir, 'published-keys.json');
  writeFileSync(keysFile, (await vigil(dir, 'keys', 'public', '--json')).out);
  const genuine = join(dir, 'genuine.json');
  assert.equal((await vigil(dir, 'export', sessionName(0), '-o', genuine)).code, 0);
  const trustedBundle = await vigil(dir, 'verify', '--bundle', genuine, '--keys', keysFile);
  assert.equal(trustedBundle.code, 0, trustedBundle.out);
  assert.match(trustedBundle.out, /one of the trusted keys/);

  // A bundle made from nothing with the forger's key: intact by itself, and it says so.
  const forger = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const forged = join(dir, 'forged.json');
  writeFileSync(forged, forgedBundle(forger, sessionName(0)));
  const alone = await vigil(dir, 'verify', '--bundle', forged);
  assert.equal(alone.code, 0, alone.out);
  assert.match(alone.out, /the bundle's own key, not checked/);
  const checked = await vigil(dir, 'verify', '--bundle', forged, '--keys', keysFile);
  assert.equal(checked.code, 1, checked.out);
  assert.match(checked.out, /TAMPERED \[unknown_key\]/);

  // The data directory rewritten under the writer's key (added to its keyring): event 0 now says
  // something else, and every hash, checkpoint and anchor line agrees with it.
  rewriteHistory(ledger.store, dir, forger, { n: 0, text: 'rewritten' });
  await ledger.store.close();
  const keyring = join(dir, 'keys', 'ledger-keyring.json');
  const entries = JSON.parse(readFileSync(keyring, 'utf8')) as { keys: unknown[] };
  const added = entryOf(forger);
  entries.keys.push({ key_id: added.keyId, public_key: added.publicKey, created: added.created });
  writeFileSync(keyring, JSON.stringify(entries));
  const own = await vigil(dir, 'verify');
  assert.equal(own.code, 0, own.out);
  assert.match(own.out, /keys: the data directory's keyring/);
  const outside = await vigil(dir, 'verify', '--keys', keysFile);
  assert.equal(outside.code, 1, outside.out);
  assert.match(outside.out, /TAMPERED \[unknown_key\]/);
});

test('a log cut back to a checkpoint (its anchor cut too) verifies: verify says what it cannot see', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1, 0, 1], checkpointsAfter: [2, 4] });
  const db = sqliteDatabase(ledger.store);
  db.prepare('DELETE FROM events WHERE idx >= 4').run();
  db.prepare('DELETE FROM checkpoints WHERE size > 4').run();
  db.prepare('UPDATE sessions SET event_count = 2, next_seq = 2').run();
  await ledger.store.close();
  const lines = readFileSync(ledger.anchor, 'utf8').split('\n');
  writeFileSync(ledger.anchor, `${lines.slice(0, 2).join('\n')}\n`);
  const cut = await vigil(ledger.dir, 'verify');
  assert.equal(cut.code, 0, cut.out);
  assert.match(cut.out, /ledger intact/);
  assert.match(cut.out, /cannot show: events removed from after the latest checkpoint/);
});
