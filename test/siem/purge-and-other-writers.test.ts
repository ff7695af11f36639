// Events another process appends reach the sinks by polling (no commit of this gateway wakes the
// forwarder), and a payload retention purged before delivery is delivered as the ledger holds it:
// hashes without the payload, flagged. The other process is the real `vigil purge` CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { assertDeliveredEqualsLedger, HttpCollector, ledgerRows, vigilPart, waitFor } from './collectors.js';

const UPSTREAM_KEY = 'sk-upstream-siem-purge-test-key-003';

let model: DemoModel;
let collector: HttpCollector;
let gateway: TestGateway;

before(async () => {
  process.env.VIGIL_TEST_SIEM_PURGE_UPSTREAM_KEY = UPSTREAM_KEY;
  model = await startDemoModel({ apiKey: UPSTREAM_KEY });
  collector = new HttpCollector();
  // Bound once for its port, then down: nothing is delivered before the purge.
  await collector.start();
  await collector.kill();
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_SIEM_PURGE_UPSTREAM_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    siem: {
      poll: 200,
      max_backoff: 300,
      sinks: [{ name: 'late', type: 'http', url: collector.url, format: 'vigil', batch_size: 7 }],
    },
  });
});

after(async () => {
  await gateway?.close();
  await collector?.kill();
  await model?.close();
});

test('purged payloads are delivered flagged, and a purge recorded by the CLI arrives by polling', {
  timeout: 120_000,
}, async () => {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  for (let i = 0; i < 4; i++) {
    await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: `Count to ${i}.` }],
    });
  }
  await gateway.recorder.drain();
  const before = new Date(Date.now() + 1000).toISOString();
  await new Promise((r) => setTimeout(r, 1100));
  const run = await runCli(['--data', gateway.dataDir, 'purge', '--before', before, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const purge = JSON.parse(run.stdout) as { purged: number; record: number };
  assert.ok(purge.purged > 0);

  await collector.start();
  const size = async () => gateway.store.ledger.ledgerSize();
  await waitFor('the CLI-appended purge record to be delivered', async () => {
    const [status] = gateway.siem.status();
    return status!.cursor === (await size());
  });
  const rows = await ledgerRows(gateway);
  assert.ok(
    rows.some((r) => r.connection === 'cli'),
    'the CLI appended its purge session',
  );
  const documents = collector.receipts.map((r) => r.documents);
  assertDeliveredEqualsLedger(documents, rows);

  const delivered = documents.flat().map(vigilPart);
  const purged = delivered.filter((d) => d.payload_purged === true);
  assert.equal(new Set(purged.map((d) => d.index)).size, purge.purged, 'each purged event is flagged');
  for (const d of purged) {
    assert.equal(d.payload, null);
    assert.match(d.payload_hash as string, /^[0-9a-f]{64}$/);
  }
  assert.ok(
    delivered.some((d) => d.index === purge.record && d.type === 'ledger.purged'),
    'the purge record another process appended was delivered',
  );
});
