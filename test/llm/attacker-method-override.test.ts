// A model connection forwards only the methods and paths of its route table, each judged and
// recorded as what it is. A request can ask the upstream to run it as another method: an
// X-HTTP-Method-Override header (in any spelling a CGI-style server reads as it), or `_method` in
// the query or the JSON body (Rails, Laravel, Symfony, Express's method-override). Against an
// upstream that honours one, POST /v1/chat/completions ran as GET (OpenAI's list of an
// organisation's stored completions) and GET /v1/models/{id} as DELETE, recorded as a chat request
// and a model lookup. The upstream here honours every form, as such frameworks do, and says what
// it ran.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

let upstream: Server;
let gateway: TestGateway;
/** The method each request reaching the upstream was run as, and its path. */
const ran: string[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      let method = req.method ?? '';
      const header = req.headers['x-http-method-override'] ?? req.headers.x_http_method_override;
      if (typeof header === 'string') method = header;
      const inQuery = url.searchParams.get('_method');
      if (inQuery) method = inQuery;
      try {
        const inBody = JSON.parse(Buffer.concat(chunks).toString('utf8'))._method;
        if (typeof inBody === 'string') method = inBody;
      } catch {}
      ran.push(`${method.toUpperCase()} ${url.pathname}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [] }));
    });
  });
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: await listenOnLoopback(upstream), allow: ['*'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const CHAT = { model: 'demo', messages: [{ role: 'user', content: 'hello' }] };

function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: object) {
  return fetch(`${gateway.url}/c/oa${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

test('a request that asks to run as another method is refused, recorded, and never forwarded', async () => {
  const cases: [string, () => Promise<Response>][] = [
    ['header', () => send('POST', '/v1/chat/completions', { 'x-http-method-override': 'GET' }, CHAT)],
    ['CGI spelling', () => send('POST', '/v1/chat/completions', { X_HTTP_Method_Override: 'GET' }, CHAT)],
    ['query', () => send('POST', '/v1/chat/completions?_method=GET', {}, CHAT)],
    // As Rack 2 and PHP read names: `[_method]` and `_method[]` are `_method` to them.
    ['query, Rack spelling', () => send('POST', '/v1/chat/completions?%5B_method%5D=GET', {}, CHAT)],
    ['query, PHP spelling', () => send('POST', '/v1/chat/completions?.method=GET', {}, CHAT)],
    ['body', () => send('POST', '/v1/chat/completions', {}, { ...CHAT, _method: 'GET' })],
    [
      'a lookup run as a delete',
      () => send('GET', '/v1/models/ft-1', { 'x-http-method-override': 'DELETE' }),
    ],
  ];
  for (const [name, request] of cases) {
    const before = ran.length;
    const res = await request();
    await res.arrayBuffer();
    assert.deepEqual(ran.slice(before), [], `${name}: the upstream ran it`);
    assert.equal(res.status, 400, name);
    assert.equal(res.headers.get('x-vigil-error'), 'method_override_refused', name);
  }
  const refusals = await connectionEvents(gateway, 'oa', 'access.denied');
  assert.ok(refusals.length >= cases.length, 'each refusal is recorded');
});

test('an override naming the method sent, and an ordinary request, pass', async () => {
  const res = await send('POST', '/v1/chat/completions', { 'x-http-method-override': 'POST' }, CHAT);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const plain = await send('GET', '/v1/models/ft-1', {});
  assert.equal(plain.status, 200);
  await plain.arrayBuffer();
  assert.deepEqual(ran.slice(-2), ['POST /v1/chat/completions', 'GET /v1/models/ft-1']);
});
