// Whoever can write the database can store a payload nested far deeper than the gateway ever
// records (it refuses input past MAX_JSON_DEPTH). `vigil verify` reports such a row; until 6
// December `vigil export` of its session threw a RangeError (a stack trace, exit code 2) instead of
// saying the ledger was altered. Now it is `ledger_tampered` (exit code 1), naming the event.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { buildLedger } from './fixture.js';

async function vigil(...args: string[]): Promise<{ code: number; err: string; out: string }> {
  const errors: string[] = [];
  const lines: string[] = [];
  const [error, log] = [console.error, console.log];
  console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    const code = await main(['node', 'vigil', ...args]);
    return { code, err: errors.join('\n'), out: lines.join('\n') };
  } finally {
    [console.error, console.log] = [error, log];
  }
}

test('a payload nested too deep to encode, written by hand: export says the ledger was altered', async () => {
  const l = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [4] });
  try {
    const db = sqliteDatabase(l.store);
    const { session_id: session, seq } = db
      .prepare('SELECT session_id, seq FROM events WHERE idx = 2')
      .get() as { session_id: string; seq: number };
    const deep = `${'['.repeat(200_000)}1${']'.repeat(200_000)}`;
    db.prepare('UPDATE events SET payload = ? WHERE idx = 2').run(deep);
    await l.store.close();
    const out = join(l.dir, 'bundle.json');
    const exported = await vigil('--data', l.dir, 'export', session, '-o', out);
    assert.equal(exported.code, 1, exported.err);
    assert.match(exported.err, /\[ledger_tampered\]$/);
    assert.match(exported.err, new RegExp(`event ${seq} of session ${session} is nested too deep`));
    assert.equal(existsSync(out), false, 'no bundle written');
    const verified = await vigil('--data', l.dir, 'verify', '--json');
    assert.equal(verified.code, 1, verified.out);
    assert.equal(JSON.parse(verified.out).ok, false);
  } finally {
    await l.store.close().catch(() => {});
    rmSync(l.dir, { recursive: true, force: true });
  }
});
