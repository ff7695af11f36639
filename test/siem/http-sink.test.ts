// The HTTP sink against a real node:http collector while the official openai client sends traffic
// through a real gateway to the stand-in model: the collector is killed mid-stream and brought
// back on the same port, then Vigil itself is restarted on the same data directory while a batch
// is unacknowledged. Every event arrives at least once, in ledger order, equal to the ledger, and
// the secret in a prompt arrives only masked.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { siemCursorDir } from '../../src/siem/siem-service.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { assertDeliveredEqualsLedger, HttpCollector, ledgerRows, vigilPart, waitFor } from './collectors.js';

const UPSTREAM_KEY = 'sk-upstream-siem-test-key-000000001';
const SIEM_TOKEN = 'Splunk 3f1c2b9a-siem-token-never-logged';
// A GitHub token shape the masker knows: it must reach no sink unmasked.
const PROMPT_SECRET = 'ghp_R7vQ2mX9kLp4sT8wZ1nB6cY3dF5gH0jK2aE4';

let model: DemoModel;
let collector: HttpCollector;
let gateway: TestGateway;
let client: OpenAI;

function settings() {
  return {
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_SIEM_UPSTREAM_KEY',
        allow: ['group:ai-eng'],
      },
    ],
    siem: {
      poll: 100,
      max_backoff: 400,
      flush_timeout: 1500,
      sinks: [
        {
          name: 'collector',
          type: 'http',
          url: collector.url,
          headers: { Authorization: 'env:VIGIL_TEST_SIEM_TOKEN' },
          batch_size: 4,
          format: 'ecs',
        },
      ],
    },
  };
}

async function chat(i: number, secret = false): Promise<void> {
  const content = secret ? `my token is ${PROMPT_SECRET}, keep it safe (${i})` : `Name prime number ${i}.`;
  const r = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content }] });
  assert.ok(r.choices[0]?.message.content, 'the data path answers whatever the sink does');
}

function caughtUp(g: TestGateway): boolean {
  const [status] = g.siem.status();
  return status !== undefined && status.lag === 0 && status.cursor === g.recorder.size;
}

before(async () => {
  process.env.VIGIL_TEST_SIEM_UPSTREAM_KEY = UPSTREAM_KEY;
  process.env.VIGIL_TEST_SIEM_TOKEN = SIEM_TOKEN;
  model = await startDemoModel({ apiKey: UPSTREAM_KEY });
  collector = new HttpCollector();
  await collector.start();
  gateway = await startTestGateway(settings());
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  await collector?.kill();
  await model?.close();
});

test('a collector killed mid-stream and restarted on its port ends up with every event, in order', async () => {
  for (let i = 0; i < 30; i++) {
    await chat(i, i === 3 || i === 12);
    if (i === 8) await collector.kill();
    if (i === 18) {
      const [status] = gateway.siem.status();
      assert.ok(
        status!.consecutive_failures > 0 && status!.last_error !== null,
        'the outage shows in status',
      );
      assert.ok(status!.lag > 0, 'events wait while the collector is down');
      await collector.start();
    }
  }
  await waitFor('the forwarder to catch up', () => caughtUp(gateway));
  const rows = await ledgerRows(gateway);
  assertDeliveredEqualsLedger(
    collector.receipts.map((r) => r.documents),
    rows,
  );
  // ECS fields: the global index is event.sequence, the hash event.hash.
  const first = collector.receipts[0]!.documents[0]!;
  assert.equal((first.event as { sequence: number }).sequence, 0);
  assert.equal((first.event as { hash: string }).hash, rows[0]!.hash);
  assert.equal((first.user as { name: string }).name, 'alice');
  assert.equal(collector.lastHeaders['content-type'], 'application/x-ndjson');
  assert.equal(collector.lastHeaders.authorization, SIEM_TOKEN);

  // The secret went through the gateway twice, and reached the collector only as the ledger masked it.
  assert.ok(!collector.raw.includes(PROMPT_SECRET), 'the prompt secret reached the sink unmasked');
  const prompts = collector.receipts
    .flatMap((r) => r.documents)
    .filter(
      (d) =>
        vigilPart(d).type === 'llm.request' && JSON.stringify(vigilPart(d).payload).includes('my token is'),
    );
  assert.ok(prompts.length >= 2, 'the prompts with the secret were delivered');
});

test('status: GET /api/siem for auditors, a summary in /healthz; refused to plain users', async () => {
  const get = (path: string, token?: string) =>
    fetch(`${gateway.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const res = await get('/api/siem', TOKENS.audrey);
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    sinks: { name: string; cursor: number; lag: number; last_error: string | null }[];
  };
  assert.equal(body.sinks.length, 1);
  assert.equal(body.sinks[0]!.name, 'collector');
  assert.ok(body.sinks[0]!.cursor > 0);
  assert.ok(!JSON.stringify(body).includes(SIEM_TOKEN), 'status never shows a header value');
  assert.equal((await get('/api/siem', TOKENS.bob)).status, 403);
  const health = (await (await get('/healthz')).json()) as { siem: { name: string; lag: number }[] };
  assert.equal(health.siem[0]!.name, 'collector');
});

test('a restart resumes from the cursor: only the unacknowledged batch is sent again, nothing is missing', async () => {
  // The collector reads the next batch but never answers: it stays unacknowledged through the close.
  collector.holdAnswers = true;
  const receivedBefore = collector.raw.length;
  const receiptsBefore = collector.receipts.length;
  await chat(100);
  await waitFor('a batch to reach the hanging collector', () => collector.raw.length > receivedBefore);
  await gateway.close();
  const cursor = (
    JSON.parse(readFileSync(join(siemCursorDir(gateway.dataDir), 'collector.cursor.json'), 'utf8')) as {
      next_index: number;
    }
  ).next_index;
  const ledgerSize = gateway.recorder.size;
  assert.ok(cursor < ledgerSize, 'the held batch was not acknowledged, so the cursor stayed before it');
  assert.equal(collector.receipts.length, receiptsBefore);

  await collector.kill();
  collector.holdAnswers = false;
  await collector.start();
  await reopen();
  await chat(101);
  await chat(102);
  await waitFor('the restarted gateway to catch up', () => caughtUp(gateway));
  const resent = collector.receipts.slice(receiptsBefore);
  assert.equal(
    vigilPart(resent[0]!.documents[0]!).index,
    cursor,
    'the new gateway starts exactly at the cursor: nothing acknowledged is sent again',
  );
  assertDeliveredEqualsLedger(
    collector.receipts.map((r) => r.documents),
    await ledgerRows(gateway),
  );
});

/** Starts a new gateway on the same data directory (and collector settings), as a restart would. */
async function reopen(): Promise<TestGateway> {
  gateway = await startTestGateway(settings(), gateway.dataDir);
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  return gateway;
}
