// Events the CLI writes straight to the store (audit.viewed from `vigil replay`) while the gateway
// runs on the same ledger and records nothing itself: the gateway's checkpointer seals them within
// its interval, as it does its own, and signs no empty or repeated checkpoint while the log is still.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const INTERVAL_MS = 200;

/** The CLI's global options reaching this gateway's store (a config file for PostgreSQL). */
function cliStoreArgs(gateway: TestGateway): string[] {
  if (!gateway.postgresStore) return ['--data', gateway.dataDir];
  const file = join(gateway.dataDir, 'cli-config.yaml');
  // JSON is YAML: the store section as the gateway has it.
  writeFileSync(file, JSON.stringify({ data: gateway.dataDir, store: gateway.postgresStore.section }));
  return ['--config', file];
}

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    assert.ok(performance.now() < end, `timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Waits until `gateways` (idle, on one ledger) sealed what they recorded, has the CLI write
 * audit.viewed beside them, and checks the checkpoint that covers it, by the CLI's `vigil verify`.
 */
async function cliEventsAreSealed(gateways: readonly TestGateway[]): Promise<void> {
  const first = gateways[0]!;
  const ledger = first.store.ledger;
  await until(
    'the gateway session',
    async () => (await ledger.listSessions({ identity: 'alice' })).length > 0,
    10_000,
  );
  await until(
    'the gateways to seal their own events',
    async () => {
      for (const g of gateways) await g.recorder.drain();
      return ((await ledger.latestCheckpoint())?.size ?? 0) === (await ledger.ledgerSize());
    },
    10_000,
  );
  const [session] = await ledger.listSessions({ identity: 'alice' });
  const before = await ledger.ledgerSize();
  const own = gateways.map((g) => g.recorder.size);

  const args = cliStoreArgs(first);
  const replay = await runCli([...args, 'replay', session!.id]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /admin\.action/);
  const after = await ledger.ledgerSize();
  assert.ok(after > before, 'the CLI recorded audit.viewed in the same log');
  assert.deepEqual(
    gateways.map((g) => g.recorder.size),
    own,
    'the gateways themselves recorded nothing meanwhile',
  );

  // Within a few intervals (the CLI's write lands at any point of one), not on the next own event.
  await until(
    'a checkpoint covering the CLI events',
    async () => ((await ledger.latestCheckpoint())?.size ?? 0) >= after,
    INTERVAL_MS * 10,
  );
  const served = await Promise.all(gateways.map(async (g) => (await fetch(`${g.url}/checkpoint`)).text()));
  assert.ok(
    served.some((note) => note.split('\n')[1] === String(after)),
    `GET /checkpoint serves the new size: ${JSON.stringify(served)}`,
  );

  // Still now: no empty or repeated checkpoints while the log does not grow.
  const count = (await ledger.listCheckpoints()).length;
  await sleep(INTERVAL_MS * 5);
  const checkpoints = await ledger.listCheckpoints();
  assert.equal(checkpoints.length, count, 'nothing signed while the log is still');
  const sizes = checkpoints.map((c) => c.size);
  assert.deepEqual(
    sizes,
    [...new Set(sizes)].sort((a, b) => a - b),
    'one checkpoint per size, growing',
  );

  const verify = await runCli([...args, 'verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.doesNotMatch(verify.stdout, /not yet checkpointed/);
}

function askWhoami(gateway: TestGateway): Promise<Response> {
  return fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
}

const SETTINGS = { connections: [], ledger: { checkpoint_interval: INTERVAL_MS } };

for (const store of ['sqlite', 'postgres'] as const) {
  test(`${store}: audit.viewed written by vigil replay is checkpointed by an idle gateway`, {
    timeout: 90_000,
  }, async () => {
    const gateway = await startTestGateway(SETTINGS, undefined, { store });
    try {
      assert.equal((await askWhoami(gateway)).status, 200);
      await cliEventsAreSealed([gateway]);
    } finally {
      await gateway.close();
    }
  });
}

test('postgres, two replicas: the signer alone seals the CLI events, once', { timeout: 90_000 }, async () => {
  const a = await startTestGateway(SETTINGS, undefined, { store: 'postgres' });
  try {
    const b = await startTestGateway({ ...SETTINGS, store: a.postgresStore!.section }, a.dataDir);
    try {
      assert.equal((await askWhoami(a)).status, 200);
      assert.equal((await askWhoami(b)).status, 200);
      await cliEventsAreSealed([a, b]);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
});
