// Refused requests get a clear error with a stable code, never reach the upstream, are recorded,
// and leave the gateway up.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    max_body_bytes: 1024 * 1024,
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['group:ai-eng'] },
      { name: 'an', type: 'llm-anthropic', upstream: model.url, allow: ['group:ai-eng'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

const chat = JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });

async function call(path: string, init: RequestInit) {
  const res = await fetch(gateway.url + path, init);
  const body = (await res.json()) as { error?: { code?: string; message?: string }; type?: string };
  return { status: res.status, code: body.error?.code, header: res.headers.get('x-vigil-error'), body };
}

test('each refusal has its status and code, and nothing reaches the upstream', async () => {
  const before = model.requests.length;
  const cases: [string, RequestInit, number, string][] = [
    ['/c/oa/v1/chat/completions', { method: 'POST', body: chat }, 401, 'auth_missing'],
    [
      '/c/oa/v1/chat/completions',
      { method: 'POST', body: chat, headers: { authorization: 'Bearer nope' } },
      401,
      'auth_invalid',
    ],
    [
      '/c/oa/v1/chat/completions',
      { method: 'POST', body: chat, headers: { authorization: `Bearer ${TOKENS.bob}` } },
      403,
      'forbidden_connection',
    ],
    [
      '/c/oa/v1/unknown',
      { method: 'POST', body: chat, headers: { authorization: `Bearer ${TOKENS.alice}` } },
      404,
      'route_unknown',
    ],
    [
      '/c/nowhere/v1/chat/completions',
      { method: 'POST', body: chat, headers: { authorization: `Bearer ${TOKENS.alice}` } },
      404,
      'connection_unknown',
    ],
    [
      '/c/oa/v1/chat/completions',
      { method: 'POST', body: '{"model":', headers: { authorization: `Bearer ${TOKENS.alice}` } },
      400,
      'body_invalid_json',
    ],
    [
      '/c/oa/v1/chat/completions',
      { method: 'POST', body: '', headers: { authorization: `Bearer ${TOKENS.alice}` } },
      400,
      'body_invalid_json',
    ],
  ];
  for (const [path, init, status, code] of cases) {
    const r = await call(path, init);
    assert.deepEqual(
      [r.status, r.code, r.header],
      [status, code, code],
      `${path} ${JSON.stringify(init.headers)}`,
    );
  }
  assert.equal(model.requests.length, before, 'no refused request reached the upstream');
});

test('the Anthropic connection answers in the Anthropic error shape', async () => {
  const r = await call('/c/an/v1/messages', {
    method: 'POST',
    body: chat,
    headers: { 'x-api-key': 'wrong' },
  });
  assert.equal(r.status, 401);
  assert.equal(r.body.type, 'error');
  assert.equal((r.body.error as { type?: string }).type, 'authentication_error');
  assert.equal(r.code, 'auth_invalid');
});

test('a body over the limit (50 MB) is refused with 413 and the gateway stays up', async () => {
  const big = Buffer.alloc(50 * 1024 * 1024, 0x61);
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    body: big,
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  }).catch((err: Error) => err);
  // The gateway answers 413 before reading the body; a client still sending may see the socket close instead.
  if (!(res instanceof Error)) {
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('x-vigil-error'), 'body_too_large');
  }
  const health = await fetch(`${gateway.url}/healthz`);
  assert.equal(health.status, 200);
});

test('refusals are recorded, attributed as far as known', async () => {
  const sessions = await gateway.store.ledger.listSessions({});
  const denials = [];
  for (const s of sessions) {
    for (const e of await gateway.store.ledger.readSession(s.id)) {
      if (e.type === 'access.denied') denials.push([e.identity.subject, e.payload?.code]);
    }
  }
  assert.ok(denials.some(([who, code]) => who === 'anonymous' && code === 'auth_missing'));
  assert.ok(denials.some(([who, code]) => who === 'anonymous' && code === 'auth_invalid'));
  assert.ok(denials.some(([who, code]) => who === 'bob' && code === 'forbidden_connection'));
  assert.ok(denials.some(([who, code]) => who === 'alice' && code === 'route_unknown'));
  assert.ok(denials.some(([who, code]) => who === 'alice' && code === 'body_invalid_json'));
});
