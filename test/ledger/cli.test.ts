import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register as exportCommand } from '../../src/cli/commands/export.js';
import { register as keys } from '../../src/cli/commands/keys.js';
import { register as purge } from '../../src/cli/commands/purge.js';
import { register as verify } from '../../src/cli/commands/verify.js';
import { buildLedger, sessionName } from './fixture.js';

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
