// The session records (the `sessions` table: what `vigil sessions` lists and filters by) are checked
// against their sessions' hashed first and last events: a record given another subject, identity,
// connection, start time or protocol, another end time or end reason, shown as ended while the log
// holds no end or as open once it ended, a record with no events, and a session's events with no
// record are each named as `session_mismatch`, on SQLite and PostgreSQL, on one thread and with
// workers reading their own ranges (the CLI's path), and through `vigil verify` itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { Command } from 'commander';
import { register as verifyCommand } from '../../src/cli/commands/verify.js';
import type { LedgerFault } from '../../src/ledger/faults.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { type VerifyOptions, type VerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { type Backend, postgres, sqlite, withBackendLedger } from './backends.js';
import { draftFor, type Ledger, type LedgerSpec, sessionName, withLedger } from './fixture.js';

const BACKENDS = [sqlite, postgres()];
after(() => closeSharedTestPostgres());

/** Four sessions interleaved, two of them ended, with checkpoints along the way. */
const SPEC: LedgerSpec = {
  order: [0, 1, 2, 0, 3, 1, 2, 3, 0, 1, 2, 3],
  checkpointsAfter: [4, 12],
  ended: new Set([1, 3]),
};

/** Verifies on this thread alone, and with two workers reading their own ranges of five events. */
async function bothWays(backend: Backend, l: Ledger, options: Partial<VerifyOptions> = {}) {
  const alone = await l.verify({ ...options, parallel: { workers: 0 } });
  const ranges: number[] = [];
  const reading = await verifyLedger(l.store.eventSource, await l.store.ledger.listCheckpoints(), {
    keyring: l.keys.keyring,
    anchorText: readFileSync(l.anchor, 'utf8'),
    batchSize: 5,
    ...options,
    parallel: {
      workers: 2,
      minEvents: 0,
      reader: backend.reader(l),
      onBatchChecked: (start) => void ranges.push(start),
    },
  });
  assert.ok(ranges.length > 0, 'the workers read ranges');
  assert.deepEqual(reading, alone);
  return alone;
}

function expectMismatch(report: VerifyReport, expected: Partial<LedgerFault>): void {
  assert.equal(report.ok, false, 'the session record was changed unseen');
  assert.equal(report.fault?.kind, 'session_mismatch', JSON.stringify(report.fault));
  for (const [key, value] of Object.entries(expected)) {
    assert.equal((report.fault as unknown as Record<string, unknown>)[key], value, `fault ${key}`);
  }
}

const bob = { subject: 'bob@example.com', kind: 'user', groups: ['ai-eng'], tokenId: 'tok1' };
/** A change to session 2's record (its first event is event 2), and the field it must be named by. */
const TAMPERS: readonly { field: string; sql: string; value: string }[] = [
  { field: 'subject', sql: 'UPDATE sessions SET subject = $1 WHERE id = $2', value: bob.subject },
  { field: 'connection', sql: 'UPDATE sessions SET connection = $1 WHERE id = $2', value: 'postgres-prod' },
  {
    field: 'startedAt',
    sql: 'UPDATE sessions SET started_at = $1 WHERE id = $2',
    value: '2025-01-01T00:00:00.000Z',
  },
  { field: 'identity', sql: 'UPDATE sessions SET identity = $1 WHERE id = $2', value: JSON.stringify(bob) },
];

/** As the gateway writes sessions: a session.start naming the protocol, an end giving its reason. */
const GATEWAY_SPEC: LedgerSpec = { ...SPEC, endReason: 'policy_denied' };
/**
 * Changes to a record's protocol (session 2, begun at event 2) and end (session 1 ends at event 9,
 * session 2 never does), and the field and event each must be named by.
 */
const END_TAMPERS: readonly {
  field: string;
  sql: string;
  params: unknown[];
  session: number;
  index?: number;
}[] = [
  {
    field: 'protocol',
    sql: 'UPDATE sessions SET protocol = $1 WHERE id = $2',
    params: ['cli'],
    session: 2,
    index: 2,
  },
  {
    field: 'endReason',
    sql: 'UPDATE sessions SET end_reason = $1 WHERE id = $2',
    params: ['closed'],
    session: 1,
    index: 9,
  },
  {
    field: 'endedAt',
    sql: 'UPDATE sessions SET ended_at = $1 WHERE id = $2',
    params: ['2025-01-01T00:00:30.000Z'],
    session: 1,
    index: 9,
  },
  {
    field: 'endedAt',
    sql: 'UPDATE sessions SET ended_at = NULL, end_reason = NULL WHERE id = $1',
    params: [],
    session: 1,
    index: 9,
  },
  {
    field: 'endedAt',
    sql: "UPDATE sessions SET ended_at = $1, end_reason = 'closed' WHERE id = $2",
    params: ['2025-01-01T00:00:30.000Z'],
    session: 2,
  },
];

for (const backend of BACKENDS) {
  test(`${backend.name}: a session record given another protocol, end time or end reason, or shown ended or open against the log`, async () => {
    for (const { field, sql, params, session, index } of END_TAMPERS) {
      await withBackendLedger(backend, GATEWAY_SPEC, async (l) => {
        assert.equal((await bothWays(backend, l)).fault, null, 'untouched, the ledger verifies');
        await backend.sql(l, sql, ...params, sessionName(session));
        const report = await bothWays(backend, l);
        expectMismatch(report, { sessionId: sessionName(session), field, index });
        assert.match(report.fault!.message, new RegExp(`session ${sessionName(session)}'s record says`));
        assert.equal(report.events, SPEC.order.length);
      });
    }
  });

  test(`${backend.name}: a session record given another subject, connection, start time or identity`, async () => {
    for (const { field, sql, value } of TAMPERS) {
      await withBackendLedger(backend, SPEC, async (l) => {
        assert.equal((await bothWays(backend, l)).fault, null, 'untouched, the ledger verifies');
        await backend.sql(l, sql, value, sessionName(2));
        const report = await bothWays(backend, l);
        expectMismatch(report, { sessionId: sessionName(2), field, index: 2 });
        assert.match(report.fault!.message, new RegExp(`session ${sessionName(2)}'s record says ${field}`));
        // Reported once every event is read and found intact.
        assert.equal(report.events, SPEC.order.length);
      });
    }
  });

  test(`${backend.name}: a session record with no events, and a session's events with no record`, async () => {
    await withBackendLedger(backend, SPEC, async (l) => {
      await backend.sql(
        l,
        `INSERT INTO sessions (id, connection, protocol, subject, identity, started_at, last_event_at, event_count, next_seq, last_hash)
         SELECT 'made-up', connection, protocol, subject, identity, started_at, last_event_at, 0, 0, last_hash FROM sessions WHERE id = $1`,
        sessionName(0),
      );
      expectMismatch(await bothWays(backend, l), { sessionId: 'made-up', field: 'events' });
      await backend.sql(l, 'DELETE FROM sessions WHERE id = $1', 'made-up');
      assert.equal((await bothWays(backend, l)).fault, null);
      await backend.sql(l, 'DELETE FROM sessions WHERE id = $1', sessionName(3));
      expectMismatch(await bothWays(backend, l), { sessionId: sessionName(3), field: 'record', index: 4 });
    });
  });
}

test('a session that begins while verification runs is not taken for one with no record', async () => {
  await withLedger(SPEC, async (l) => {
    const recorder = new Recorder(l.store.ledger);
    await recorder.init();
    const source = l.store.eventSource;
    let appended = 0;
    // The gateway commits a new session's first event just after the verifier has read the records.
    const racing: typeof source = {
      ...source,
      sessionRecords: async () => {
        const records = await source.sessionRecords();
        appended++;
        await recorder.append(draftFor(7, 100), 'llm');
        return records;
      },
    };
    const report = await verifyLedger(racing, await l.store.ledger.listCheckpoints(), {
      keyring: l.keys.keyring,
    });
    assert.equal(appended, 1);
    assert.equal(report.fault, null, JSON.stringify(report.fault));
    assert.equal(report.events, SPEC.order.length + 1);
  });
});

/** `vigil verify --json` on the data directory, as an operator runs it. */
async function vigilVerify(dataDir: string): Promise<{ code: number; report: VerifyReport }> {
  const program = new Command('vigil').option('-c, --config <file>').option('--data <dir>').exitOverride();
  let code = 0;
  verifyCommand(program, (c) => (code = c));
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(' '));
  try {
    await program.parseAsync(['node', 'vigil', '--data', dataDir, 'verify', '--json']);
  } finally {
    console.log = log;
  }
  return { code, report: JSON.parse(lines.join('\n')) as VerifyReport };
}

test('vigil verify: a session attributed to someone else on a log long enough for workers by default', async () => {
  // Past the 20,000 events from which verification uses workers (verify-parallel.ts PARALLEL_FROM).
  const order = Array.from({ length: 20_500 }, (_, i) => i % 40);
  await withLedger({ order, checkpointsAfter: [10_000, order.length] }, async (l) => {
    await l.store.close();
    assert.equal((await vigilVerify(l.dir)).code, 0);
    await l.reopen();
    // Session 37 begins at event 37; its record now says bob.
    await sqlite.sql(l, 'UPDATE sessions SET subject = $1 WHERE id = $2', bob.subject, sessionName(37));
    await l.store.close();
    const { code, report } = await vigilVerify(l.dir);
    assert.equal(code, 1);
    expectMismatch(report, { sessionId: sessionName(37), field: 'subject', index: 37 });
    assert.equal(report.events, order.length);
    await l.reopen();
  });
});
