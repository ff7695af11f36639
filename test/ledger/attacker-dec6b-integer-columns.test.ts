// SQLite keeps whatever an integer column is given: `UPDATE events SET seq = 1.5`, a text, an idx
// past 2^53, or `UPDATE sessions SET event_count = 'x'`. Until 6 December the store's reader threw a
// TypeError on such a row and `vigil verify` ended with a stack trace and exit code 2 ("usage or
// configuration error"): no TAMPERED line, no event named. Now each is the fault of its row
// (seq_gap, index_gap, session_mismatch), exit code 1, on one thread and with workers alike.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { sqlite } from './backends.js';
import { buildLedger, type Ledger } from './fixture.js';

const SPEC = { order: [0, 1, 0, 1, 0, 1], checkpointsAfter: [6], ended: new Set([0]) };

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

/** A ledger with one row altered by hand, the store closed as after a gateway stopped. */
async function tampered(sql: string): Promise<Ledger> {
  const l = await buildLedger(SPEC);
  sqliteDatabase(l.store).prepare(sql).run();
  await l.store.close();
  return l;
}

const CASES = [
  { sql: 'UPDATE events SET seq = 1.5 WHERE idx = 3', kind: 'seq_gap', index: 3, shows: /seq 1\.5/ },
  { sql: "UPDATE events SET seq = 'x' WHERE idx = 3", kind: 'seq_gap', index: 3, shows: /seq "x"/ },
  {
    sql: 'UPDATE events SET idx = 9007199254740993 WHERE idx = 5',
    kind: 'index_gap',
    index: 5,
    shows: /past 2\^53/,
  },
  {
    sql: "UPDATE sessions SET event_count = 'x' WHERE id = (SELECT session_id FROM events WHERE idx = 1)",
    kind: 'session_mismatch',
    index: undefined,
    shows: /counts "x" events/,
  },
] as const;

for (const c of CASES) {
  test(`${c.sql}: vigil verify reports ${c.kind} with exit code 1, not a stack trace`, async () => {
    const l = await tampered(c.sql);
    try {
      const text = await vigil('--data', l.dir, 'verify');
      assert.equal(text.code, 1, `${text.err}\n${text.out}`);
      assert.match(text.out, new RegExp(`^TAMPERED \\[${c.kind}\\]`));
      assert.match(text.out, c.shows);
      if (c.index !== undefined) assert.match(text.out, new RegExp(`at event ${c.index},`));
      const json = await vigil('--data', l.dir, 'verify', '--json');
      assert.equal(json.code, 1, json.err);
      const report = JSON.parse(json.out) as { ok: boolean; fault: { kind: string; index?: number } };
      assert.equal(report.ok, false);
      assert.equal(report.fault.kind, c.kind);
      assert.equal(report.fault.index, c.index);
    } finally {
      rmSync(l.dir, { recursive: true, force: true });
    }
  });
}

test('with workers reading their own ranges, the same fault at the same event', async () => {
  for (const c of CASES) {
    const l = await tampered(c.sql);
    try {
      await l.reopen();
      const report = await verifyLedger(l.store.eventSource, await l.store.ledger.listCheckpoints(), {
        keyring: l.keys.keyring,
        anchorText: readFileSync(l.anchor, 'utf8'),
        batchSize: 2,
        parallel: { workers: 2, minEvents: 0, reader: sqlite.reader(l) },
      });
      assert.equal(report.fault?.kind, c.kind, c.sql);
      assert.equal(report.fault?.index, c.index, c.sql);
    } finally {
      await l.store.close();
      rmSync(l.dir, { recursive: true, force: true });
    }
  }
});

test('an earlier fault in the same batch is still the one named first', async () => {
  const l = await buildLedger(SPEC);
  try {
    const db = sqliteDatabase(l.store);
    db.prepare("UPDATE events SET time = '2020-01-01T00:00:00.000Z' WHERE idx = 1").run();
    db.prepare('UPDATE events SET seq = 2.5 WHERE idx = 4').run();
    const report = await l.verify();
    assert.equal(report.fault?.kind, 'hash_mismatch');
    assert.equal(report.fault?.index, 1);
  } finally {
    await l.store.close();
    rmSync(l.dir, { recursive: true, force: true });
  }
});

test('vigil sessions over such a row says the ledger was altered (exit code 1), not a stack trace', async () => {
  const l = await tampered("UPDATE sessions SET event_count = 'x'");
  try {
    const listed = await vigil('--data', l.dir, 'sessions');
    assert.equal(listed.code, 1, listed.err);
    assert.match(listed.err, /sessions\.event_count holds "x", not an exact integer.*\[ledger_tampered\]$/);
  } finally {
    rmSync(l.dir, { recursive: true, force: true });
  }
});
