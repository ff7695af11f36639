// What the metrics say when the ledger cannot be written: the pipeline (real, over a real recorder
// and SQLite store that is then closed under it) reports the action as failed and counts the record
// failure for its connection, in fail-closed mode (the action is refused) and in fail-open mode (it
// goes through unrecorded). The exposition is read with the parser a scraper would use.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { isVigilError } from '../../src/core/errors.js';
import { systemClock } from '../../src/core/ports.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { createMasker } from '../../src/mask/index.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { type EventContext, Pipeline, type RecordFailureMode } from '../../src/pipeline/pipeline.js';
import { Policy } from '../../src/pipeline/policy.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { sampleValue } from './scrape.js';

async function harness(mode: RecordFailureMode) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-metrics-failures-'));
  const store = await openStore(configSchema.parse({ append_in_worker: false }), dataDir);
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const metrics = new GatewayMetrics();
  recorder.onCommit(metrics.committed);
  const pipeline = new Pipeline({
    authenticator: { authenticate: () => Promise.reject(new Error('not used')), knowsPublicKey: () => false },
    masker: createMasker({ fingerprintKey: Buffer.alloc(32, 7) }),
    recorder,
    policy: new Policy(),
    clock: systemClock,
    onRecordFailure: mode,
    logger: { warn: () => undefined, error: () => undefined },
    observer: metrics,
  });
  const ctx: EventContext = {
    sessionId: 's-1',
    connection: 'model',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    protocol: 'test-protocol',
  };
  const read = async () => {
    const text = (await metrics.exposition()).body;
    return { text, families: parsePrometheusTextFormat(text) };
  };
  return { store, pipeline, ctx, read };
}

for (const mode of ['fail-closed', 'fail-open'] as const) {
  test(`${mode}: an action whose event cannot be recorded is counted as failed, and so is the record`, async () => {
    const { store, pipeline, ctx, read } = await harness(mode);
    await pipeline.submit(ctx, 'llm.request', { prompt: 'first' });
    const before = await read();
    assert.equal(sampleValue(before, 'vigil_actions_total', { connection: 'model', outcome: 'allowed' }), 1);
    assert.equal(sampleValue(before, 'vigil_ledger_appended_events_total'), 1);

    await store.close();
    const attempt = pipeline.submit(ctx, 'llm.request', { prompt: 'second' });
    if (mode === 'fail-closed') {
      await assert.rejects(attempt, (err) => isVigilError(err) && err.code === 'record_failed');
    } else {
      assert.equal(await attempt, null, 'fail-open lets it through unrecorded');
    }
    const after = await read();
    const labels = { connection: 'model', protocol: 'test-protocol', kind: 'llm.request' };
    assert.equal(sampleValue(after, 'vigil_actions_total', { ...labels, outcome: 'failed' }), 1);
    assert.equal(sampleValue(after, 'vigil_actions_total', { ...labels, outcome: 'allowed' }), 1);
    assert.equal(sampleValue(after, 'vigil_record_failures_total', { connection: 'model' }), 1);
    assert.equal(sampleValue(after, 'vigil_ledger_appended_events_total'), 1, 'nothing more was appended');
  });
}
