// Model connections whose upstream URL has a base path (Azure OpenAI-style
// `https://host/openai/deployments/x`), against a real upstream that resolves a path as Tomcat and
// Spring do: `;` parameters dropped from each segment before dot segments apply. The one route
// with a free segment is GET /v1/models/<id>; until 6 December an id of `..;` ran `GET
// <base>/v1/` there, recorded as a model retrieved. Such ids are refused and never forwarded; a
// model id that would climb above the base (`%252e%252e`, `..%2F`) already was.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const BASE = '/openai/deployments/x';
let upstream: Server;
let gateway: TestGateway;
/** The path the upstream resolved, for each request it got. */
const resolved: string[] = [];

/** The path as Tomcat and Spring resolve it: parameters dropped, then dot segments applied. */
function tomcatPath(url: string): string {
  const out: string[] = [];
  for (const raw of url.split('?')[0]!.split('/').slice(1)) {
    const segment = decodeURIComponent(raw.replace(/;.*$/s, ''));
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = tomcatPath(req.url ?? '/');
      resolved.push(path);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: path, object: 'model', created: 0, owned_by: 'org' }));
    });
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      { name: 'az', type: 'llm-openai', upstream: `${url}${BASE}`, allow: ['group:ai-eng'] },
      { name: 'an', type: 'llm-anthropic', upstream: `${url}${BASE}`, allow: ['group:ai-eng'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

test('a model is retrieved below the base path', async () => {
  const openai = new OpenAI({ baseURL: `${gateway.url}/c/az/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  assert.equal((await openai.models.retrieve('gpt-4o-mini')).id, `${BASE}/v1/models/gpt-4o-mini`);
});

test('a model id that a server dropping `;` parameters reads as a dot segment is refused', async () => {
  const before = resolved.length;
  const ids = ['..;', '..;x=1', '.;', '%2e%2e;', '.%2E;v=1', '..%3B', '..%253B', '%252e%252e%253bx'];
  for (const id of ids) {
    for (const connection of ['az', 'an']) {
      const res = await fetch(`${gateway.url}/c/${connection}/v1/models/${id}`, {
        headers: { authorization: `Bearer ${TOKENS.alice}`, 'x-api-key': TOKENS.alice },
      });
      assert.equal(res.status, 404, `${connection} ${id}`);
      assert.equal(res.headers.get('x-vigil-error'), 'route_unknown', `${connection} ${id}`);
    }
  }
  assert.deepEqual(resolved.slice(before), [], 'the upstream saw none of them');
});

test('every forwarded request was resolved below the base, at the path recorded', async () => {
  const requests = await connectionEvents(gateway, 'az', 'llm.request');
  const forwarded = requests.filter((e) => !e.payload?.refused).map((e) => `${BASE}${e.payload?.path}`);
  assert.deepEqual(forwarded, resolved);
});
