// A collector an attacker controls, or one that misbehaves: it trickles its answer (a byte every
// second, so no idle timeout ever fires) or redirects elsewhere. Each costs a counted failure of
// that session's export and nothing more: the export ends at its deadline (so later sessions, and
// shutdown, are not held for ever) and the exporter's headers never go to another host.
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';

const COLLECTOR_KEY = 'hostile-collector-key-0123456789';
let mode: 'trickle' | 'redirect' = 'trickle';
let collector: Server;
let elsewhere: Server;
let model: StubServer;
let gateway: TestGateway;
const collectorRequests: string[] = [];
const elsewhereHeaders: Record<string, string | string[] | undefined>[] = [];
const trickling = new Set<ServerResponse>();

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  elsewhere = createServer((req, res) => {
    elsewhereHeaders.push({ ...req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const elsewhereUrl = await listen(elsewhere);
  collector = createServer((req, res) => {
    req.resume();
    collectorRequests.push(mode);
    if (mode === 'redirect') {
      res.writeHead(307, { location: `${elsewhereUrl}/v1/traces` }).end();
      return;
    }
    // Headers at once, then a byte a second: the transport's idle timeout (10 s) never fires.
    res.writeHead(200, { 'content-type': 'application/json' });
    trickling.add(res);
    const timer = setInterval(() => res.write(' '), 1000);
    res.on('close', () => {
      clearInterval(timer);
      trickling.delete(res);
    });
  });
  const collectorUrl = await listen(collector);
  model = await startWorkloadModel(() => ({ content: 'ok' }));
  process.env.VIGIL_TEST_HOSTILE_OTLP_KEY = COLLECTOR_KEY;
  gateway = await startTestGateway({
    sessions: { idle_timeout: '1s' },
    tracing: {
      otlp_endpoint: `${collectorUrl}/v1/traces`,
      headers: { 'x-collector-key': 'env:VIGIL_TEST_HOSTILE_OTLP_KEY' },
    },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  for (const server of [collector, elsewhere]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  await model?.close();
});

async function runSession(name: string): Promise<void> {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': name },
  });
  const answer = await client.chat.completions.create({
    model: 'gpt-4',
    messages: [{ role: 'user', content: 'hello' }],
  });
  assert.equal(answer.choices[0]?.message.content, 'ok');
}

async function nextFailure(before: number): Promise<void> {
  const stats = gateway.tracing!.stats;
  while (stats.exportFailures === before) await new Promise((r) => setTimeout(r, 100));
}

test('a collector that trickles its answer: the export fails at its deadline and the connection is cut', {
  timeout: 60_000,
}, async () => {
  mode = 'trickle';
  const failures = gateway.tracing!.stats.exportFailures;
  await runSession('trickled');
  // Before the deadline was Vigil's own, this export never ended (the test's timeout fails it).
  await nextFailure(failures);
  assert.equal(gateway.tracing!.stats.exportFailures, failures + 1);
  assert.ok(collectorRequests.includes('trickle'));
  while (trickling.size > 0) await new Promise((r) => setTimeout(r, 50));
});

test('a collector that redirects: not followed, so its headers never reach the other host', {
  timeout: 60_000,
}, async () => {
  mode = 'redirect';
  const failures = gateway.tracing!.stats.exportFailures;
  await runSession('redirected');
  await nextFailure(failures);
  assert.ok(collectorRequests.includes('redirect'));
  assert.deepEqual(elsewhereHeaders, [], 'nothing was sent to the redirect target');
});
