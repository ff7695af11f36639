// Embeddings through Vigil with responses masked toward the client: the openai SDK asks for vectors
// as base64 floats by default, which look like key material to the token-run detectors. Masked, the
// SDK decoded the replacement text into a wrong vector without an error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const UPSTREAM_KEY = 'sk-upstream-only-vigil-knows-0002';
let model: DemoModel;
let gateway: TestGateway;
let direct: OpenAI;
let viaVigil: OpenAI;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: UPSTREAM_KEY });
  process.env.VIGIL_TEST_OPENAI_KEY = UPSTREAM_KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_OPENAI_KEY',
        allow: ['*'],
        mask_responses: true,
      },
    ],
  });
  direct = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: UPSTREAM_KEY, maxRetries: 0 });
  viaVigil = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

test('base64 vectors (the SDK default) arrive and are recorded unchanged', async () => {
  const input = ['tamper-evident ledger', 'embeddings-7731'];
  const a = await direct.embeddings.create({ model: 'demo-embed', input });
  const b = await viaVigil.embeddings.create({ model: 'demo-embed', input });
  assert.deepEqual(b.data, a.data);
  assert.ok(b.data[0]!.embedding.length > 16 && b.data[0]!.embedding.every(Number.isFinite));
  const [summary] = await gateway.store.ledger.listSessions({ search: 'embeddings-7731' });
  const events = await gateway.store.ledger.readSession(summary!.id);
  const recorded = JSON.stringify(events.findLast((e) => e.type === 'llm.response')?.payload);
  assert.ok(!recorded.includes('[MASKED:key-material'), recorded.slice(0, 300));
});

test('float vectors asked for explicitly pass too', async () => {
  const input = 'floats';
  const a = await direct.embeddings.create({ model: 'demo-embed', input, encoding_format: 'float' });
  const b = await viaVigil.embeddings.create({ model: 'demo-embed', input, encoding_format: 'float' });
  assert.deepEqual(b.data, a.data);
});
