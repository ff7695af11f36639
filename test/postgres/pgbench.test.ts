import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { type PgFixture, pgEvents, runClient, startPgFixture } from './pg-gateway.js';

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_pgbench');
});
after(() => f.close());

function transactions(stdout: string): number {
  const m = /number of transactions actually processed: (\d+)/.exec(stdout);
  assert.ok(m, stdout);
  return Number(m[1]);
}

test('pgbench -i, then select-only and TPC-B-like through Vigil; every statement recorded', async () => {
  const init = await runClient('pgbench', ['-i', '-s', '1', '-q'], f, TOKENS.alice);
  assert.equal(init.code, 0, init.stderr);
  const before = (await pgEvents(f)).filter((e) => e.type === 'db.query').length;
  const selectOnly = await runClient('pgbench', ['-S', '-c', '2', '-T', '2', '-n'], f, TOKENS.alice);
  assert.equal(selectOnly.code, 0, selectOnly.stderr);
  const selects = transactions(selectOnly.stdout);
  const afterSelect = (await pgEvents(f)).filter((e) => e.type === 'db.query');
  // One statement per select-only transaction (pgbench may record one unfinished at the deadline).
  assert.ok(afterSelect.length - before >= selects, `${afterSelect.length - before} < ${selects}`);
  const tpcb = await runClient('pgbench', ['-c', '2', '-T', '2', '-n', '-M', 'extended'], f, TOKENS.alice);
  assert.equal(tpcb.code, 0, tpcb.stderr);
  const writes = transactions(tpcb.stdout);
  const events = await pgEvents(f);
  const updates = events.filter(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('UPDATE pgbench_accounts'),
  );
  assert.ok(updates.length >= writes);
  assert.ok(
    updates.every(
      (e) =>
        e.payload?.protocol === 'extended' &&
        Array.isArray(e.payload?.parameters) &&
        e.payload.parameters.length === 2,
    ),
  );
});
