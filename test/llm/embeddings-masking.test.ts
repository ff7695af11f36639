// Embeddings through Vigil with responses masked toward the client: the openai SDK asks for vectors
// as base64 floats by default, which look like key material to the token-run detectors. Masked, the
// SDK decoded the replacement text into a wrong vector without an error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import type { TestGateway } from '../support/gateway.js';
import { type ModelClients, startOpenAiClients } from '../support/model-clients.js';

let clients: ModelClients<OpenAI>;
let gateway: TestGateway;
let direct: OpenAI;
let viaVigil: OpenAI;

before(async () => {
  clients = await startOpenAiClients('sk-upstream-only-vigil-knows-0002', {
    name: 'oa',
    mask_responses: true,
  });
  ({ gateway, direct, viaVigil } = clients);
});

after(() => clients?.close());

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
