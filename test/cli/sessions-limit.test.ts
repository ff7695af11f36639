// `vigil sessions --limit` takes a count of sessions. It was passed on unread: a word reached SQLite
// as a text LIMIT and ended in a stack trace ("SqliteError: datatype mismatch"), and a negative
// number listed every session, as SQLite reads LIMIT -1. Now both are usage errors, exit 2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withLedger } from '../ledger/fixture.js';
import { runCli } from '../support/cli.js';

test('sessions --limit takes a whole number of sessions, and refuses anything else as a usage error', async () => {
  await withLedger({ order: [1, 2, 3], checkpointsAfter: [] }, async (ledger) => {
    await ledger.store.close(); // the CLI opens the ledger itself
    const sessions = (...args: string[]) => runCli(['--data', ledger.dir, 'sessions', ...args]);

    const two = await sessions('--limit', '2', '--json');
    assert.equal(two.code, 0, two.stderr);
    assert.equal((JSON.parse(two.stdout) as unknown[]).length, 2);

    for (const bad of ['abc', '-1', '0', '1.5', '']) {
      const run = await sessions('--limit', bad);
      assert.equal(run.code, 2, `--limit ${JSON.stringify(bad)}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, /--limit must be a whole number of sessions.*\[usage\]/, `--limit ${bad}`);
      assert.doesNotMatch(run.stderr, /SqliteError|\n\s+at /, `--limit ${bad} printed a stack trace`);
      assert.equal(run.stdout, '', `--limit ${bad} listed sessions`);
    }
    await ledger.reopen(); // withLedger closes what it opened
  });
});
