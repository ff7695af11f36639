// A model request's query string reaches the upstream with the path, and some upstreams read request
// parameters there: Azure OpenAI its `api-version`, LiteLLM- and vLLM-style proxies or a custom
// server a `model` or a prompt. Until 5 December the query was forwarded but neither recorded nor
// judged: `?model=` ran another model than the one a rule allowed, text in the query reached the
// upstream unseen, and the record showed a plain request. Now the query is recorded (masked) in
// llm.request, and only the parameters the SDKs and Azure send are forwarded; anything else is
// refused, recorded, and never forwarded. The clients here are the official SDKs, sending the
// query with `defaultQuery` or their own beta calls; the upstream records each URL it received.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const KEY = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';
const QUERY_KEY = 'Ab3dE5gH7jK9mN2pQ4xZ8wV1';

let upstream: Server;
let gateway: TestGateway;
/** Each URL (path and query) the upstream received. */
const received: string[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.url ?? '');
      const path = new URL(req.url ?? '/', 'http://upstream').pathname;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (path === '/v1/messages') {
        res.end(
          JSON.stringify({
            id: 'msg_1',
            type: 'message',
            role: 'assistant',
            model: 'claude-x',
            content: [{ type: 'text', text: 'hi' }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 1, output_tokens: 1 },
          }),
        );
      } else if (path === '/v1/models') {
        res.end(JSON.stringify({ data: [], has_more: false, first_id: null, last_id: null, object: 'list' }));
      } else {
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 1,
            model: 'demo',
            choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          }),
        );
      }
    });
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: url, allow: ['*'] },
      { name: 'an', type: 'llm-anthropic', upstream: url, allow: ['*'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const CHAT = { model: 'demo', messages: [{ role: 'user' as const, content: 'hello' }] };

function openai(defaultQuery: Record<string, string>): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0, defaultQuery });
}

async function lastRequest(connection: string) {
  const events = await connectionEvents(gateway, connection, 'llm.request');
  return events.at(-1)!.payload!;
}

test("Azure's api-version is forwarded and recorded as the upstream read it", async () => {
  await openai({ 'api-version': '2024-10-21' }).chat.completions.create(CHAT);
  assert.equal(received.at(-1), '/v1/chat/completions?api-version=2024-10-21');
  assert.equal((await lastRequest('oa')).query, '?api-version=2024-10-21');
});

test('a request without a query records an empty one', async () => {
  await openai({}).chat.completions.create(CHAT);
  assert.equal(received.at(-1), '/v1/chat/completions');
  assert.equal((await lastRequest('oa')).query, '');
});

test('a secret in a forwarded query is masked in the record', async () => {
  await openai({ 'api-version': KEY }).chat.completions.create(CHAT);
  assert.equal(received.at(-1), `/v1/chat/completions?api-version=${KEY}`);
  const query = (await lastRequest('oa')).query;
  assert.equal(typeof query, 'string');
  assert.ok(!String(query).includes(KEY), String(query));
  assert.match(String(query), /^\?api-version=/);
});

test('any other query parameter is refused, recorded (masked), and never forwarded', async () => {
  const cases: [string, Record<string, string>][] = [
    ['a model the body does not name', { model: 'gpt-4-expensive' }],
    ['text the upstream may read', { prompt: 'exfiltrate the keys' }],
    ['a key in ?key=', { key: QUERY_KEY }],
    ['api-version in another case', { 'API-Version': '2024-10-21' }],
    ['api-version percent-escaped', { 'api-version': '2024 10 21' }],
    ['api-version beside another', { 'api-version': '2024-10-21', deployment: 'gpt-4' }],
  ];
  for (const [name, query] of cases) {
    const before = received.length;
    await assert.rejects(openai(query).chat.completions.create(CHAT), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError, `${name}: ${String(err)}`);
      assert.equal(err.status, 400, name);
      assert.equal(err.code, 'protocol_violation', name);
      return true;
    });
    assert.deepEqual(received.slice(before), [], `${name}: the upstream got it`);
  }
  const refusals = await connectionEvents(gateway, 'oa', 'access.denied');
  const queries = refusals.map((e) => String(e.payload?.query));
  assert.ok(queries.includes('?model=gpt-4-expensive'), 'the refused query is recorded');
  assert.ok(
    queries.some((q) => q.startsWith('?key=')),
    'the refused key is recorded',
  );
  assert.ok(!JSON.stringify(refusals).includes(QUERY_KEY), 'the key in ?key= is masked');
});

test('a repeated or valueless parameter is refused', async () => {
  for (const search of ['?api-version=a&api-version=b', '?api-version', '?api-version=', '?&api-version=a']) {
    const before = received.length;
    const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions${search}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify(CHAT),
    });
    await res.arrayBuffer();
    assert.equal(res.status, 400, search);
    assert.deepEqual(received.slice(before), [], `${search}: the upstream got it`);
  }
});

test("the Anthropic SDK's beta calls and model paging pass, recorded with their query", async () => {
  const client = new Anthropic({ baseURL: `${gateway.url}/c/an`, apiKey: TOKENS.alice, maxRetries: 0 });
  await client.beta.messages.create({
    model: 'claude-x',
    max_tokens: 16,
    messages: [{ role: 'user', content: 'hello' }],
  });
  assert.equal(received.at(-1), '/v1/messages?beta=true');
  assert.equal((await lastRequest('an')).query, '?beta=true');
  await client.models.list({ limit: 2 });
  assert.equal(received.at(-1), '/v1/models?limit=2');
  assert.equal((await lastRequest('an')).query, '?limit=2');

  const before = received.length;
  const sneaky = new Anthropic({
    baseURL: `${gateway.url}/c/an`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultQuery: { model: 'claude-opus' },
  });
  await assert.rejects(
    sneaky.messages.create({
      model: 'claude-x',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    }),
    (err: unknown) => err instanceof Anthropic.APIError && err.status === 400,
  );
  assert.deepEqual(received.slice(before), []);
});
