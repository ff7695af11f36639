// A connection's `upstream_headers` are set on every forwarded request, replacing the client's: an
// injected key that serves several projects (OpenAI-Project), betas (anthropic-beta) or tenants
// acts only for the one the connection names, whatever the official SDKs or a raw client send.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

let upstream: Server;
let gateway: TestGateway;
const arrived: IncomingHttpHeaders[] = [];

const OPENAI_ANSWER = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model: 'demo',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
};
const ANTHROPIC_ANSWER = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'demo',
  content: [{ type: 'text', text: 'ok' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
};

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      const url = req.url ?? '';
      res.end(
        JSON.stringify(
          url.includes('chat/completions') ? OPENAI_ANSWER : url.includes('messages') ? ANTHROPIC_ANSWER : {},
        ),
      );
    });
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: url,
        allow: ['group:ai-eng'],
        upstream_headers: { 'OpenAI-Project': 'proj_pinned', 'OpenAI-Organization': 'org_pinned' },
      },
      {
        name: 'an',
        type: 'llm-anthropic',
        upstream: url,
        allow: ['group:ai-eng'],
        upstream_headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
      },
      {
        name: 'api',
        type: 'http',
        upstream: url,
        allow: ['group:ai-eng'],
        upstream_headers: { 'X-Tenant': 'acme' },
      },
      { name: 'open', type: 'llm-openai', upstream: url, allow: ['group:ai-eng'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const messages = [{ role: 'user' as const, content: 'hi' }];

test("the official OpenAI SDK's project and organization are replaced by the connection's", async () => {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    project: 'proj_other',
    organization: 'org_other',
    maxRetries: 0,
  });
  await client.chat.completions.create({ model: 'demo', messages });
  const headers = arrived.at(-1)!;
  assert.equal(headers['openai-project'], 'proj_pinned');
  assert.equal(headers['openai-organization'], 'org_pinned');
  // Without upstream_headers the client's pass as before.
  const open = new OpenAI({
    baseURL: `${gateway.url}/c/open/v1`,
    apiKey: TOKENS.alice,
    project: 'proj_other',
    maxRetries: 0,
  });
  await open.chat.completions.create({ model: 'demo', messages });
  assert.equal(arrived.at(-1)!['openai-project'], 'proj_other');
});

test("the official Anthropic SDK's betas are replaced by the connection's", async () => {
  const client = new Anthropic({ baseURL: `${gateway.url}/c/an`, apiKey: TOKENS.alice, maxRetries: 0 });
  await client.beta.messages.create({
    model: 'demo',
    max_tokens: 10,
    messages,
    betas: ['mcp-client-2025-04-04'],
  });
  assert.equal(arrived.at(-1)!['anthropic-beta'], 'prompt-caching-2024-07-31');
});

test("an http connection's tenant header replaces the client's, in any case and repeated", async () => {
  const res = await fetch(`${gateway.url}/c/api/items`, {
    headers: [
      ['authorization', `Bearer ${TOKENS.alice}`],
      ['x-tenant', 'other'],
      ['X-TENANT', 'third'],
    ],
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  assert.equal(arrived.at(-1)!['x-tenant'], 'acme');
});

test('a header a CGI-style server reads as Content-Encoding or Accept-Encoding never reaches a model upstream', async () => {
  // WSGI, Rack and PHP read `Content_Encoding` as Content-Encoding: the upstream would inflate a
  // body Vigil judged and recorded as plain, or answer compressed where Vigil records plain text.
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'content-type': 'application/json',
      content_encoding: 'gzip',
      accept_encoding: 'br',
      openai_project: 'proj_other',
    },
    body: JSON.stringify({ model: 'demo', messages }),
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const headers = arrived.at(-1)!;
  for (const name of ['content_encoding', 'accept_encoding', 'openai_project']) {
    assert.equal(headers[name], undefined, `${name} reached the upstream`);
  }
  assert.equal(headers['openai-project'], 'proj_pinned');
});
