// Two writers on one PostgreSQL ledger, as two gateway processes would be: two store bundles (two
// pools) with a recorder each, appending thousands of events in many sessions at once. The store
// numbers every batch inside its transaction, so every event is stored once, at the index its
// recorder was told, the log is gap-free, every chain verifies, and so does `vigil verify`.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { JsonObject, RecordedEvent } from '../../src/core/events.js';
import type { StoreBundle } from '../../src/core/ports.js';
import { anchorPath } from '../../src/ledger/anchor.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { loadLedgerKeys } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import { draft } from './conformance-support.js';

after(() => closeSharedTestPostgres());

const WRITERS = 2;
const SESSIONS_PER_WRITER = 100;
const EVENTS_PER_SESSION = 20;
const TOTAL = WRITERS * SESSIONS_PER_WRITER * EVENTS_PER_SESSION;

/** One writer: its sessions run at once, each appending its events one after another. */
async function write(recorder: Recorder, writer: number): Promise<RecordedEvent[]> {
  const sessions = Array.from({ length: SESSIONS_PER_WRITER }, async (_, s) => {
    const id = `w${writer}-s${s}`;
    const mine: RecordedEvent[] = [];
    for (let n = 0; n < EVENTS_PER_SESSION; n++) {
      const type = n === EVENTS_PER_SESSION - 1 ? 'session.end' : 'llm.request';
      const payload: JsonObject = type === 'session.end' ? { reason: 'closed' } : { writer, session: s, n };
      mine.push(await recorder.append(draft(id, n, { type, payload }), 'llm'));
    }
    return mine;
  });
  return (await Promise.all(sessions)).flat();
}

test(`${WRITERS} writers appending ${TOTAL} events at once: each stored once, indexes gap-free, chains intact`, async () => {
  const scratch = await scratchPostgresStore('database', { max: 4 });
  const config = configSchema.parse({ store: scratch.section });
  const bundles: StoreBundle[] = [];
  try {
    for (let w = 0; w < WRITERS; w++) bundles.push(await openStore(config, '/nonexistent'));
    const recorders = await Promise.all(
      bundles.map(async (b) => {
        const r = new Recorder(b.ledger);
        await r.init();
        return r;
      }),
    );
    const written = await Promise.all(recorders.map((r, w) => write(r, w)));

    const store = bundles[0]!;
    assert.equal(await store.ledger.ledgerSize(), TOTAL);
    const stored = await store.ledger.readEvents(0, TOTAL + 10);
    assert.deepEqual(
      stored.map((e) => e.index),
      Array.from({ length: TOTAL }, (_, i) => i),
      'indexes 0..N-1, no gap, no duplicate',
    );
    // Each event a recorder reported is the one stored at the index it reported.
    const all = written.flat();
    assert.equal(all.length, TOTAL);
    assert.equal(new Set(all.map((e) => e.index)).size, TOTAL, 'no two events were told the same index');
    for (const e of all) assert.equal(stored[e.index]?.hash, e.hash, `event ${e.sessionId}#${e.seq}`);
    // The writers really interleaved: positions alternate between them many times.
    const runs = stored.filter((e, i) => i > 0 && e.sessionId[1] !== stored[i - 1]!.sessionId[1]).length;
    assert.ok(runs > 10, `the writers' batches interleave (${runs} switches)`);

    // Sign a checkpoint as a gateway would (anchor file and store), then verify offline and by the CLI.
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-writers-'));
    const keys = loadLedgerKeys(dataDir);
    const checkpointer = new Checkpointer({
      store: store.ledger,
      recorder: recorders[0]!,
      signer: keys.signer,
      anchorFile: anchorPath(dataDir),
      source: store.eventSource,
    });
    await checkpointer.start();
    await checkpointer.stop();
    const report = await verifyLedger(store.eventSource, await store.ledger.listCheckpoints(), {
      keyring: keys.keyring,
    });
    assert.equal(report.fault, null, JSON.stringify(report.fault));
    assert.equal(report.events, TOTAL);
    assert.equal(report.sessions, WRITERS * SESSIONS_PER_WRITER);

    const configFile = join(dataDir, 'vigil.yaml');
    writeFileSync(configFile, `data: ${dataDir}\nstore:\n  type: postgres\n  url: ${scratch.section.url}\n`);
    const cli = await runCli(['--config', configFile, 'verify', '--json']);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    const cliReport = JSON.parse(cli.stdout) as { ok: boolean; events: number; anchorLines: number | null };
    assert.equal(cliReport.ok, true);
    assert.equal(cliReport.events, TOTAL);
    assert.equal(cliReport.anchorLines, 1);
  } finally {
    for (const b of bundles) await b.close();
    await scratch.drop();
  }
});

test('two writers on one session never fork its chain: a colliding append is refused or re-based', async () => {
  const scratch = await scratchPostgresStore('schema', { max: 2 });
  const config = configSchema.parse({ store: scratch.section });
  const bundles = [await openStore(config, '/nonexistent'), await openStore(config, '/nonexistent')];
  try {
    const recorders = await Promise.all(
      bundles.map(async (b) => {
        const r = new Recorder(b.ledger);
        await r.init();
        return r;
      }),
    );
    const outcomes = await Promise.all(
      recorders.map(async (r, w) => {
        let ok = 0;
        for (let n = 0; n < 40; n++) {
          await r.append(draft('shared', n, { payload: { writer: w, n } }), 'llm').then(
            () => ok++,
            (err: { code?: string }) => assert.equal(err.code, 'record_failed'),
          );
        }
        return ok;
      }),
    );
    const chain = await bundles[0]!.ledger.readSession('shared');
    assert.equal(chain.length, outcomes[0]! + outcomes[1]!, 'every accepted append is stored, nothing else');
    assert.deepEqual(
      chain.map((e) => e.seq),
      chain.map((_, i) => i),
    );
    const report = await verifyLedger(bundles[0]!.eventSource, [], {
      keyring: loadLedgerKeys(mkdtempSync(join(tmpdir(), 'vigil-k-'))).keyring,
    });
    assert.equal(report.fault, null, JSON.stringify(report.fault));
  } finally {
    for (const b of bundles) await b.close();
    await scratch.drop();
  }
});
