// When an event cannot be persisted, the request does not reach the upstream and the client gets a
// clear error (fail-closed); with on_record_failure: fail-open, it goes through.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel | undefined;
let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.close().catch(() => undefined);
  await model?.close();
});

async function setup(mode: 'fail-closed' | 'fail-open') {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    on_record_failure: mode,
    connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
  });
  return { model, gateway };
}

const ask = (gw: TestGateway, content: string) =>
  fetch(`${gw.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }] }),
  });

/** SQLite's own "database or disk is full": the file may not grow past its current pages. */
function fillDisk(gw: TestGateway): void {
  const db = gw.store.database;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
}

test('disk full: the request is refused with record_failed and never reaches the model', async () => {
  const { model, gateway } = await setup('fail-closed');
  assert.equal((await ask(gateway, 'warm-up')).status, 200);
  const seen = model.requests.length;
  fillDisk(gateway);
  const res = await ask(gateway, 'x'.repeat(200_000));
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('x-vigil-error'), 'record_failed');
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(body.error.code, 'record_failed');
  assert.equal(model.requests.length, seen, 'nothing reached the upstream');
});

test('store down: requests are refused, and the gateway stays up', async () => {
  const { model, gateway } = await setup('fail-closed');
  const seen = model.requests.length;
  gateway.store.database.close();
  for (let i = 0; i < 3; i++) {
    const res = await ask(gateway, `attempt ${i}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-vigil-error'), 'record_failed');
  }
  assert.equal(model.requests.length, seen);
  assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200);
});

test('fail-open forwards what cannot be recorded', async () => {
  const { model, gateway } = await setup('fail-open');
  assert.equal((await ask(gateway, 'warm-up')).status, 200);
  gateway.store.database.close();
  const seen = model.requests.length;
  const res = await ask(gateway, 'unrecorded but served');
  assert.equal(res.status, 200);
  assert.equal(model.requests.length, seen + 1);
});
