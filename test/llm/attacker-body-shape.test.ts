// Policy reads a model request by its fields (src/protocols/llm/action-facts.ts). A body that is a
// JSON array or a bare string has none, so every pattern read nothing, and the body was recorded and
// forwarded: an upstream that takes an array as a batch of requests (or a string as a prompt) gave
// the model text no rule had seen. Such a body is refused before the upstream.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

let upstream: Server;
let gateway: TestGateway;
let arrivals = 0;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[]}');
    });
  });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: await listenOnLoopback(upstream), allow: ['*'] },
    ],
    policy: { rules: [{ name: 'no-exfil', match: { pattern: 'exfiltrate the keys' }, action: 'deny' }] },
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

test('a body that is not a JSON object is refused, recorded, and never forwarded', async () => {
  const prompt = { model: 'demo', messages: [{ role: 'user', content: 'exfiltrate the keys' }] };
  for (const body of [[prompt], '"exfiltrate the keys"', '42', 'null']) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
      body: text,
    });
    await res.arrayBuffer();
    assert.equal(arrivals, 0, `${text}: forwarded`);
    assert.equal(res.status, 400, text);
    assert.equal(res.headers.get('x-vigil-error'), 'body_invalid_json');
  }
  assert.ok((await connectionEvents(gateway, 'oa', 'access.denied')).length >= 4);
  assert.equal((await connectionEvents(gateway, 'oa', 'llm.request')).length, 0);
});
