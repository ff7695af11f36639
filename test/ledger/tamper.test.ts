// The property-based tamper suite: on generated ledgers (real Recorder, SQLite store, Checkpointer
// and anchor file), every kind of tampering is detected and named, and an untouched ledger verifies.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { chainHash, GENESIS_HASH, payloadHash } from '../../src/ledger/chain.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import type { FaultKind } from '../../src/ledger/faults.js';
import { parseSigningKey } from '../../src/ledger/keyring.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { type Ledger, type LedgerSpec, withLedger } from './fixture.js';

const RUNS = Number(process.env.VIGIL_TAMPER_RUNS ?? 20);

/** Several interleaved sessions and a few checkpoints; the last checkpoint covers everything. */
const specArb: fc.Arbitrary<LedgerSpec> = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 40 }),
    fc.array(fc.nat(), { maxLength: 3 }),
    fc.subarray([0, 1, 2, 3]),
    fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }),
  )
  .map(([order, cuts, ended, texts]) => ({
    order,
    checkpointsAfter: cuts.map((c) => 1 + (c % order.length)),
    ended: new Set(ended),
    texts,
  }));

const TEXT_COLUMNS = [
  'session_id',
  'type',
  'time',
  'connection',
  'subject',
  'identity',
  'payload',
  'payload_hash',
  'prev_hash',
  'hash',
] as const;
const EXPECTED_FOR_COLUMN: Record<(typeof TEXT_COLUMNS)[number] | 'idx' | 'seq', readonly FaultKind[]> = {
  idx: ['index_gap'],
  seq: ['seq_gap'],
  // The event moves to another session: its seq or link or header no longer fit.
  session_id: ['seq_gap', 'chain_broken', 'hash_mismatch'],
  type: ['hash_mismatch'],
  time: ['hash_mismatch'],
  connection: ['hash_mismatch'],
  subject: ['hash_mismatch'],
  identity: ['hash_mismatch'],
  payload: ['payload_mismatch'],
  payload_hash: ['hash_mismatch'],
  prev_hash: ['chain_broken'],
  hash: ['hash_mismatch'],
};

async function expectFault(
  l: Ledger,
  kinds: readonly FaultKind[],
  where: Record<string, number | string> = {},
) {
  const report = await l.verify();
  assert.ok(report.fault, 'tampering went unnoticed');
  assert.ok(
    kinds.includes(report.fault.kind),
    `expected ${kinds.join('|')}, got ${JSON.stringify(report.fault)}`,
  );
  for (const [key, value] of Object.entries(where)) {
    assert.equal((report.fault as unknown as Record<string, unknown>)[key], value, `fault ${key}`);
  }
  assert.equal(report.ok, false);
}

test('an untouched ledger verifies', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, (spec) =>
      withLedger(spec, async (l) => {
        const report = await l.verify();
        assert.equal(report.fault, null);
        assert.equal(report.events, spec.order.length);
        assert.equal(report.notCheckpointed, 0);
      }),
    ),
    { numRuns: RUNS },
  );
});

test('one byte changed in any stored event column is detected at that event', async () => {
  await fc.assert(
    fc.asyncProperty(
      specArb,
      fc.nat(),
      fc.constantFrom('idx', 'seq', ...TEXT_COLUMNS),
      fc.nat(),
      (spec, pick, column, position) =>
        withLedger(spec, async (l) => {
          const index = pick % spec.order.length;
          const db = sqliteDatabase(l.store);
          if (column === 'idx') {
            db.prepare('UPDATE events SET idx = idx + 1000000 WHERE idx = ?').run(index);
            return expectFault(l, EXPECTED_FOR_COLUMN.idx, { index });
          }
          if (column === 'seq') {
            db.prepare('UPDATE events SET seq = seq + 1000 WHERE idx = ?').run(index);
            return expectFault(l, EXPECTED_FOR_COLUMN.seq, { index });
          }
          const value = (
            db.prepare(`SELECT ${column} AS v FROM events WHERE idx = ?`).get(index) as { v: string }
          ).v;
          const bytes = Buffer.from(value, 'utf8');
          const at = position % bytes.length;
          // A byte no generated value uses at that spot (and never the same byte).
          bytes[at] = bytes[at] === 0x5a ? 0x59 : 0x5a;
          db.prepare(`UPDATE events SET ${column} = ? WHERE idx = ?`).run(bytes.toString('latin1'), index);
          return expectFault(l, EXPECTED_FOR_COLUMN[column], { index });
        }),
    ),
    { numRuns: RUNS * 4 },
  );
});

test('an event deleted is detected: a hole in the log, or a session cut short at the end', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, fc.nat(), (spec, pick) =>
      withLedger(spec, async (l) => {
        const index = pick % spec.order.length;
        sqliteDatabase(l.store).prepare('DELETE FROM events WHERE idx = ?').run(index);
        if (index < spec.order.length - 1) return expectFault(l, ['index_gap'], { index });
        return expectFault(l, ['session_truncated'], {
          sessionId: `sess-${spec.order[index]}`,
        });
      }),
    ),
    { numRuns: RUNS },
  );
});

test('a well-forged event inserted in the middle (renumbered, chain valid) is caught by the Merkle root', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, fc.nat(), (spec, pick) =>
      withLedger(spec, async (l) => {
        const index = pick % spec.order.length;
        const db = sqliteDatabase(l.store);
        db.prepare('UPDATE events SET idx = idx + 1000000 WHERE idx >= ?').run(index);
        db.prepare('UPDATE events SET idx = idx - 999999 WHERE idx >= 1000000').run();
        const identity = { subject: 'mallory', kind: 'user' as const, groups: [] };
        const payload = { forged: true };
        const header = {
          type: 'llm.request' as const,
          sessionId: 'forged',
          seq: 0,
          time: '2025-01-01T00:00:00.500Z',
          connection: 'openai',
          identity,
          payloadHash: payloadHash(payload),
        };
        db.prepare(
          `INSERT INTO events (idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash)
           VALUES (?, 'forged', 0, 'llm.request', ?, 'openai', 'mallory', ?, ?, ?, ?, ?)`,
        ).run(
          index,
          header.time,
          JSON.stringify(identity),
          JSON.stringify(payload),
          header.payloadHash,
          GENESIS_HASH,
          chainHash(GENESIS_HASH, header),
        );
        const covering = l.checkpoints.find((cp) => cp.size > index)!.size;
        return expectFault(l, ['root_mismatch'], { checkpointSize: covering });
      }),
    ),
    { numRuns: RUNS },
  );
});

test('two events swapped are detected: by sequence numbers, else by the Merkle root', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, fc.nat(), fc.nat(), (spec, a, b) =>
      withLedger(spec, async (l) => {
        const n = spec.order.length;
        const i = Math.min(a % n, b % n);
        let j = Math.max(a % n, b % n);
        if (i === j) j = i + 1 < n ? i + 1 : i - 1;
        const [lo, hi] = [Math.min(i, j), Math.max(i, j)];
        const db = sqliteDatabase(l.store);
        db.prepare('UPDATE events SET idx = -1 WHERE idx = ?').run(lo);
        db.prepare('UPDATE events SET idx = ? WHERE idx = ?').run(lo, hi);
        db.prepare('UPDATE events SET idx = ? WHERE idx = -1').run(hi);
        // Oracle: read the swapped order and find where a session's numbering first breaks.
        const order = spec.order.slice();
        [order[lo], order[hi]] = [order[hi]!, order[lo]!];
        const original = spec.order.map((s, k) => spec.order.slice(0, k).filter((x) => x === s).length);
        const seqs = original.slice();
        [seqs[lo], seqs[hi]] = [seqs[hi]!, seqs[lo]!];
        const next = new Map<number, number>();
        let broken = -1;
        for (let k = 0; k < n && broken < 0; k++) {
          if ((next.get(order[k]!) ?? 0) !== seqs[k]) broken = k;
          next.set(order[k]!, seqs[k]! + 1);
        }
        // Verification reads in log order: a checkpoint over the swapped part may come first.
        const covering = l.checkpoints.find((cp) => cp.size > lo)!.size;
        if (broken >= 0 && broken < covering) return expectFault(l, ['seq_gap'], { index: broken });
        return expectFault(l, ['root_mismatch'], { checkpointSize: covering });
      }),
    ),
    { numRuns: RUNS },
  );
});

test('a session truncated or deleted whole is detected', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, fc.nat(), fc.nat(), fc.boolean(), (spec, pickSession, pickCount, whole) =>
      withLedger(spec, async (l) => {
        const n = spec.order.length;
        const sessions = [...new Set(spec.order)];
        const s = sessions[pickSession % sessions.length]!;
        const mine = spec.order.flatMap((x, k) => (x === s ? [k] : []));
        const removed = whole ? mine : mine.slice(mine.length - 1 - (pickCount % mine.length));
        const db = sqliteDatabase(l.store);
        for (const k of removed) db.prepare('DELETE FROM events WHERE idx = ?').run(k);
        if (whole) db.prepare('DELETE FROM sessions WHERE id = ?').run(`sess-${s}`);
        const isTail = removed.every((k, m) => k === n - removed.length + m);
        if (!isTail) return expectFault(l, ['index_gap'], { index: removed[0]! });
        return whole
          ? expectFault(l, ['log_truncated'], { index: n - removed.length })
          : expectFault(l, ['session_truncated'], { sessionId: `sess-${s}` });
      }),
    ),
    { numRuns: RUNS },
  );
});

test('the store rolled back to an earlier copy is detected against the anchor', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, fc.nat(), (spec, pick) => {
      const snapshotAfter = 1 + (pick % (spec.order.length - 1));
      return withLedger(
        { ...spec, snapshotAfter, checkpointsAfter: [...spec.checkpointsAfter, snapshotAfter] },
        async (l) => {
          await l.store.close();
          rmSync(`${l.dbPath}-wal`, { force: true });
          rmSync(`${l.dbPath}-shm`, { force: true });
          copyFileSync(l.snapshot!, l.dbPath);
          await l.reopen();
          return expectFault(l, ['rollback']);
        },
      );
    }),
    { numRuns: RUNS },
  );
});

test('a checkpoint re-signed with another key is detected', async () => {
  await fc.assert(
    fc.asyncProperty(
      specArb,
      fc.nat(),
      fc.boolean(),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (spec, pick, keepKeyId, seed) =>
        withLedger(spec, async (l) => {
          const cp = l.checkpoints[pick % l.checkpoints.length]!;
          const other = parseSigningKey(Buffer.from(seed).toString('base64'));
          const forged = signCheckpoint(other, cp.size, cp.root, cp.time);
          sqliteDatabase(l.store)
            .prepare('UPDATE checkpoints SET key_id = ?, signature = ? WHERE size = ?')
            .run(keepKeyId ? cp.keyId : forged.keyId, forged.signature, cp.size);
          return expectFault(l, [keepKeyId ? 'signature_invalid' : 'unknown_key'], {
            checkpointSize: cp.size,
          });
        }),
    ),
    { numRuns: RUNS },
  );
});

test('the anchor edited (any byte) or truncated (at any length) is detected', async () => {
  await fc.assert(
    fc.asyncProperty(specArb, fc.nat(), fc.boolean(), (spec, position, truncate) =>
      withLedger(spec, async (l) => {
        const bytes = readFileSync(l.anchor);
        const at = position % bytes.length;
        if (truncate) {
          writeFileSync(l.anchor, bytes.subarray(0, at));
          return expectFault(l, ['anchor_truncated']);
        }
        bytes[at] = bytes[at] === 0x5a ? 0x59 : 0x5a;
        writeFileSync(l.anchor, bytes);
        // Editing the final newline leaves a last line without its end: it reads as cut short.
        return expectFault(l, at === bytes.length - 1 ? ['anchor_truncated'] : ['anchor_mismatch']);
      }),
    ),
    { numRuns: RUNS * 2 },
  );
});

test('an identity column spelled ambiguously (a duplicated member, added spaces) is an edit, though it parses the same', async () => {
  await withLedger({ order: [0, 1, 0], checkpointsAfter: [3] }, async (l) => {
    const db = sqliteDatabase(l.store);
    const { identity } = db.prepare('SELECT identity FROM events WHERE idx = 1').get() as {
      identity: string;
    };
    // JSON.parse keeps the last `subject`, other parsers the first: two readers, two people.
    for (const spelled of [
      identity.replace('{', '{"subject":"someone-else@example.com",'),
      identity.replace('{', '{ '),
    ]) {
      db.prepare('UPDATE events SET identity = ? WHERE idx = 1').run(spelled);
      await expectFault(l, ['hash_mismatch'], { index: 1 });
    }
    db.prepare('UPDATE events SET identity = ? WHERE idx = 1').run(identity);
    assert.equal((await l.verify()).ok, true);
  });
});
