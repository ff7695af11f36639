// Client aborts cancel the upstream request; timeouts and unreachable upstreams give clear errors;
// each is recorded.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: TestGateway;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] },
      {
        name: 'impatient',
        type: 'llm-openai',
        upstream: model.url,
        allow: ['*'],
        timeouts: { headers: '300ms' },
      },
      { name: 'gone', type: 'llm-openai', upstream: `http://127.0.0.1:${await closedPort()}`, allow: ['*'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

const post = (connection: string, body: object, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${gateway.url}/c/${connection}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });

const chat = (content: string, stream = false) => ({
  model: 'demo',
  stream,
  messages: [{ role: 'user', content }],
});

async function lastResponse(marker: string) {
  const [summary] = await gateway.store.ledger.listSessions({ search: marker });
  return (await gateway.store.ledger.readSession(summary!.id)).findLast((e) => e.type === 'llm.response');
}

test('a client abort cancels the upstream request', async () => {
  const upstreamCall = () => model.requests.find((r) => JSON.stringify(r.body).includes('marker-abort-1'));
  const controller = new AbortController();
  const pending = post('oa', chat('marker-abort-1', true), { 'x-demo-fail': 'hang' }, controller.signal);
  // Abort once the upstream holds the request open.
  const deadline = Date.now() + 5000;
  while (!upstreamCall() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  controller.abort();
  await assert.rejects(pending);
  while (upstreamCall()?.outcome !== 'aborted' && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(upstreamCall()?.outcome, 'aborted');
  while (!(await lastResponse('marker-abort-1')) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  assert.ok(
    (await lastResponse('marker-abort-1'))?.payload?.error,
    'the abandoned exchange is recorded with its error',
  );
});

test('a client gone before its request was forwarded: nothing reaches the upstream', async () => {
  // The abort lands while the request is being recorded (write-ahead), before it is forwarded.
  const controller = new AbortController();
  const pending = post('oa', chat('marker-early-abort', true), { 'x-demo-fail': 'hang' }, controller.signal);
  setImmediate(() => controller.abort());
  await assert.rejects(pending);
  await new Promise((r) => setTimeout(r, 500));
  const call = model.requests.find((r) => JSON.stringify(r.body).includes('marker-early-abort'));
  assert.ok(call === undefined || call.outcome === 'aborted', `upstream request left ${call?.outcome}`);
});

test('a slow upstream hits the configured timeout: 504 upstream_timeout', async () => {
  const res = await post('impatient', chat('marker-timeout-1'), { 'x-demo-fail': 'slow-3000' });
  assert.equal(res.status, 504);
  assert.equal(res.headers.get('x-vigil-error'), 'upstream_timeout');
  const recorded = await lastResponse('marker-timeout-1');
  assert.equal((recorded?.payload?.error as { code: string } | undefined)?.code, 'upstream_timeout');
});

test('an unreachable upstream: 502 upstream_unreachable', async () => {
  const res = await post('gone', chat('marker-gone-1'));
  assert.equal(res.status, 502);
  assert.equal(res.headers.get('x-vigil-error'), 'upstream_unreachable');
});

test('upstream error statuses pass through unchanged', async () => {
  const res = await post('oa', chat('marker-429'), { 'x-demo-fail': 'status-429' });
  assert.equal(res.status, 429);
  const body = (await res.json()) as { error: { message: string } };
  assert.match(body.error.message, /Injected failure/);
  assert.equal((await lastResponse('marker-429'))?.payload?.status, 429);
});
