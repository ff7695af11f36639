// The gateway's verification route (GET /api/ledger/verify) on a log long enough for worker threads,
// which the gateway gives a reader of its own store to open (that the worker then reads every row and
// the verifying thread none is tested in verify-ranges.test.ts): the route reports the log intact,
// then the event a direct change to the database broke, as verifying on one thread does; and a log
// the gateway appends to while it is verified is reported intact (a prefix of it), then whole.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import type { VerifyReport } from '../../src/ledger/verify.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { buildLedger, draftFor } from './fixture.js';

/** Above the length from which verification starts workers (verify-parallel.ts PARALLEL_FROM). */
const EVENTS = 21_000;

async function verifyThroughRoute(url: string): Promise<VerifyReport> {
  const res = await fetch(`${url}/api/ledger/verify`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as VerifyReport;
}

test('the verification route reads a long log in a worker and finds a tampered payload', async () => {
  const ledger = await buildLedger({
    order: Array.from({ length: EVENTS }, (_, i) => i % 40),
    checkpointsAfter: [10_000],
  });
  const tamperedIndex = 15_321;
  await ledger.store.close();
  const gateway = await startTestGateway({}, ledger.dir);
  try {
    const intact = await verifyThroughRoute(gateway.url);
    assert.equal(intact.ok, true, JSON.stringify(intact.fault));
    assert.ok(intact.events >= EVENTS);
    assert.equal(intact.checkedInDepth, intact.events);

    await ledger.reopen();
    sqliteDatabase(ledger.store)
      .prepare('UPDATE events SET payload = ? WHERE idx = ?')
      .run('{"n":-1}', tamperedIndex);
    const broken = await verifyThroughRoute(gateway.url);
    assert.equal(broken.ok, false);
    assert.equal(broken.fault?.index, tamperedIndex);
    const oneThread = await ledger.verify({ parallel: { workers: 0 } });
    assert.equal(broken.fault?.kind, oneThread.fault?.kind);
    assert.equal(broken.fault?.message, oneThread.fault?.message);
  } finally {
    await gateway.close();
    await ledger.store.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('the verification route checks a log the gateway appends to meanwhile, then all of it', async () => {
  const ledger = await buildLedger({
    order: Array.from({ length: EVENTS }, (_, i) => i % 40),
    checkpointsAfter: [10_000],
  });
  await ledger.store.close();
  const gateway = await startTestGateway({}, ledger.dir);
  const appended = 3_000;
  try {
    // New sessions (500 and up), appended by the gateway's own recorder as its traffic would be.
    const verifying = verifyThroughRoute(gateway.url);
    const appends = Array.from({ length: appended }, (_, i) =>
      gateway.recorder.append(draftFor(500 + (i % 40), EVENTS + i), 'llm'),
    );
    const [during] = await Promise.all([verifying, Promise.all(appends)]);
    assert.equal(during.ok, true, JSON.stringify(during.fault));
    assert.ok(during.events >= EVENTS);

    await gateway.checkpointer.checkpointNow();
    const afterwards = await verifyThroughRoute(gateway.url);
    assert.equal(afterwards.ok, true, JSON.stringify(afterwards.fault));
    assert.ok(afterwards.events >= EVENTS + appended);
    // At most the route's own audit record of this request, appended just before it verified (the
    // gateway's periodic checkpoint may have covered it too).
    assert.ok(afterwards.notCheckpointed <= 1, `${afterwards.notCheckpointed} events not checkpointed`);
  } finally {
    await gateway.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});
