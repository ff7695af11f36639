// Commands that read the ledger refuse a data directory that holds none, and a database file that
// is not one, with a stable code. `vigil verify` used to create an empty ledger where the database
// had been deleted (or the path was mistyped) and report it intact, exit 0: an auditor's script
// read a ledger deleted whole as a clean one. A file that was not a database ended in a stack trace.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';

const READERS = [
  ['verify'],
  ['sessions'],
  ['export', 'sess-1', '-o', '/dev/null'],
  ['replay', 'sess-1'],
  ['tree', 'sess-1'],
  ['purge', '--before', '2026-01-01'],
];

test('a command that reads the ledger refuses a data directory without one, and creates nothing', async () => {
  const data = mkdtempSync(join(tmpdir(), 'vigil-no-ledger-'));
  for (const args of READERS) {
    const run = await runCli(['--data', data, ...args]);
    assert.equal(run.code, 2, `${args[0]}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /no ledger at .*vigil\.db.*\[ledger_missing\]/, args[0]);
    assert.doesNotMatch(run.stdout, /intact/, args[0]);
  }
  assert.equal(existsSync(join(data, 'vigil.db')), false, 'a reading command created a ledger');
});

test('a database file that is not one is refused with a stable code, not a stack trace', async () => {
  const data = mkdtempSync(join(tmpdir(), 'vigil-not-a-db-'));
  writeFileSync(
    join(data, 'vigil.db'),
    'not a database, just text long enough to be read as a header\n'.repeat(20),
  );
  const run = await runCli(['--data', data, 'verify']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    /^vigil: .*vigil\.db is not a database Vigil can read \(SQLITE_NOTADB\) \[store_unreadable\]\n$/,
  );
});

test('vigil rerun serves beyond loopback only with --allow-remote', async () => {
  const data = mkdtempSync(join(tmpdir(), 'vigil-rerun-listen-'));
  for (const listen of ['0.0.0.0:0', '[::]:0', '192.168.1.10:8787']) {
    const run = await runCli(['--data', data, 'rerun', 'sess-1', '--listen', listen]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /add --allow-remote \[usage\]/, listen);
  }
  // On loopback, or with the flag, it goes on (to find no ledger here).
  for (const args of [
    ['--listen', '127.0.0.1:0'],
    ['--listen', '0.0.0.0:0', '--allow-remote'],
  ]) {
    const run = await runCli(['--data', data, 'rerun', 'sess-1', ...args]);
    assert.match(run.stderr, /\[ledger_missing\]/, args.join(' '));
  }
});
