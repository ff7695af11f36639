// Columns beside the hashed header that the console, `vigil sessions`, the API and SIEM sinks show,
// rewritten by someone who can write the database: each must make `vigil verify` fail, on one
// thread and with workers reading their own ranges alike.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import type { EventSource } from '../../src/core/ports.js';
import { type VerifyOptions, type VerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { type Backend, postgres, sqlite, withBackendLedger } from './backends.js';
import { type Ledger, type LedgerSpec, sessionName } from './fixture.js';

const BACKENDS = [sqlite, postgres()];
after(() => closeSharedTestPostgres());

/** Five sessions interleaved over 30 events, none ended (an end would need its record's ended_at). */
const spec: LedgerSpec = {
  order: Array.from({ length: 30 }, (_, i) => (i * 7) % 5),
  checkpointsAfter: [10, 20],
};

const db = (backend: Backend, l: Ledger) => ({
  run: (sql: string, ...params: unknown[]) => backend.sql(l, sql, ...params),
  one: async (sql: string, ...params: unknown[]) => (await backend.sql(l, sql, ...params))[0]!,
});

/** Verifies on this thread alone and with two workers reading ranges of 8; both must agree. */
async function bothWays(
  backend: Backend,
  l: Ledger,
  source: EventSource = l.store.eventSource,
): Promise<VerifyReport> {
  const options: VerifyOptions = {
    keyring: l.keys.keyring,
    anchorText: readFileSync(l.anchor, 'utf8'),
    batchSize: 8,
  };
  const checkpoints = await l.store.ledger.listCheckpoints();
  const alone = await verifyLedger(source, checkpoints, { ...options, parallel: { workers: 0 } });
  const reading = await verifyLedger(source, checkpoints, {
    ...options,
    parallel: { workers: 2, minEvents: 0, reader: backend.reader(l) },
  });
  assert.deepEqual(reading, alone);
  return alone;
}

for (const backend of BACKENDS) {
  test(`${backend.name}: a session record's event count lowered below the events logged is a session_mismatch`, async () => {
    await withBackendLedger(backend, spec, async (l) => {
      assert.equal((await bothWays(backend, l)).ok, true);
      const id = sessionName(1);
      const { n } = await db(backend, l).one('SELECT COUNT(*) AS n FROM events WHERE session_id = $1', id);
      assert.equal(Number(n), 6);
      // `vigil sessions` and the console's lists would show a 6-event session as a 2-event one.
      await db(backend, l).run('UPDATE sessions SET event_count = 2 WHERE id = $1', id);
      const report = await bothWays(backend, l);
      assert.equal(report.ok, false);
      assert.equal(report.fault?.kind, 'session_mismatch');
      assert.equal(report.fault?.sessionId, id);
      assert.equal(report.fault?.field, 'eventCount');
    });
  });

  test(`${backend.name}: the count is judged by the events logged before the records were read`, async () => {
    await withBackendLedger(backend, spec, async (l) => {
      // As if the log held 13 events when the records were read and 17 more came while verifying:
      // ranges of 8 put that point inside the second range, which the verifier takes row by row.
      const source: EventSource = { ...l.store.eventSource, count: async () => 13 };
      const id = sessionName(2);
      const sql = 'SELECT COUNT(*) AS n FROM events WHERE session_id = $1 AND idx < 13';
      const n = Number((await db(backend, l).one(sql, id)).n);
      assert.ok(n > 1);
      const setCount = (count: number) =>
        db(backend, l).run('UPDATE sessions SET event_count = $1 WHERE id = $2', count, id);
      await setCount(n);
      const exact = await bothWays(backend, l, source);
      assert.equal(exact.ok, true, 'a record counting exactly the events before it is sound');
      await setCount(n - 1);
      const report = await bothWays(backend, l, source);
      assert.equal(report.fault?.kind, 'session_mismatch');
      assert.equal(report.fault?.field, 'eventCount');
    });
  });

  test(`${backend.name}: an identity column with a member the header does not hash is an edit`, async () => {
    await withBackendLedger(backend, spec, async (l) => {
      // Event 5 is session 0's second event: its record does not repeat it.
      const row = await db(backend, l).one('SELECT identity, session_id FROM events WHERE idx = 5');
      assert.equal(row.session_id, sessionName(0));
      const identity = row.identity as string;
      for (const extra of [{ name: 'Mallory' }, { token_id: 'tok-forged' }]) {
        const edited = JSON.stringify({ ...JSON.parse(identity), ...extra });
        await db(backend, l).run('UPDATE events SET identity = $1 WHERE idx = 5', edited);
        const report = await bothWays(backend, l);
        assert.equal(report.ok, false, `${edited} passed as hashed`);
        assert.equal(report.fault?.kind, 'hash_mismatch');
        assert.equal(report.fault?.index, 5);
      }
      await db(backend, l).run('UPDATE events SET identity = $1 WHERE idx = 5', identity);
      assert.equal((await bothWays(backend, l)).ok, true);
    });
  });
}
