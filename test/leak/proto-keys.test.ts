// A JSON key named `__proto__` is an ordinary key to JSON.parse and to every server that reads the
// body, but a copy made key by key (`out[key] = value`) sets the copy's prototype instead: the
// masked record, built that way, silently lacked it. A model request carrying text under such a key
// reached the model while the ledger showed a request without it (and a secret there was neither
// masked nor stored: nothing was). Masking now keeps the key as data. Through the gateway with the
// stand-in model; and the masker alone, at any depth, in every payload shape it walks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { JsonObject } from '../../src/core/events.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { createMasker } from '../../src/mask/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const UPSTREAM_KEY = 'sk-upstream-proto-keys';
const SECRET = 'sk-proj-Xk39fLq02ZmPw8RtYv61NcJbHs4Ue7Ga';
let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: UPSTREAM_KEY });
  process.env.VIGIL_TEST_PROTO_KEYS_KEY = UPSTREAM_KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_PROTO_KEYS_KEY',
        allow: ['*'],
      },
    ],
  });
});
after(async () => {
  await gateway?.close();
  await model?.close();
});

test('a model request with text under a __proto__ key is recorded with it, masked', async () => {
  // Written by hand: no client library sends such a key, any HTTP client can.
  const body = `{"model":"demo","messages":[{"role":"user","content":"hello","__proto__":{"note":"proto-marker-41 ${SECRET}"}}]}`;
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body,
  });
  assert.equal(res.status, 200, await res.text());
  await gateway.recorder.drain();
  const [session] = await gateway.store.ledger.listSessions({ connection: 'oa' });
  const events = await gateway.store.ledger.readSession(session!.id);
  const request = events.find((e) => e.type === 'llm.request');
  const recorded = JSON.stringify(request?.payload);
  assert.match(recorded, /proto-marker-41/, 'the record holds what the model was sent');
  assert.ok(!recorded.includes(SECRET), 'masked like any other text');
  assert.match(recorded, /\[MASKED:openai-key:[0-9a-f]{6}\]/);
});

test('the masker keeps __proto__ keys as data at any depth, and the hash covers them', () => {
  const masker = createMasker({ fingerprintKey: Buffer.alloc(32, 9) });
  const payloads: JsonObject[] = [
    JSON.parse(`{"__proto__":{"text":"${SECRET}"},"a":1}`),
    JSON.parse(`{"body":{"list":[{"__proto__":"${SECRET}"}]}}`),
    JSON.parse(`{"statement":"SELECT 1","parameters":[],"__proto__":"${SECRET}"}`),
    JSON.parse(`{"columns":["a"],"rows":[["x"]],"command_tag":"SELECT 1","__proto__":"${SECRET}"}`),
    JSON.parse(`{"command":"ls","__proto__":"${SECRET}"}`),
  ];
  for (const payload of payloads) {
    const masked = masker.maskPayload(payload, 'oa');
    const text = canonicalJson(masked);
    assert.match(text, /"__proto__":/, text);
    assert.ok(!text.includes(SECRET), text);
    // As stored and read back, the same bytes: a verifier recomputes the same hash.
    assert.equal(canonicalJson(JSON.parse(text)), text);
  }
});
