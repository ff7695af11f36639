// Secret-named fields inside a text value rather than in the payload's own structure: a JSON body an
// HTTP API connection records as text (`{"client_secret": …}`, an OAuth token endpoint's answer
// `{"access_token": …}`), an urlencoded form, a query string, a model's tool-call `arguments` (JSON
// inside JSON, streamed in pieces), a tool result sent back as JSON text and a `.env` file's lines
// in a prompt. Values are words joined by dashes, which no text rule takes for a secret; sent with
// real clients (fetch, the openai SDK) through the gateway, none may reach the data directory or
// the gateway's debug log.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { TOKENS } from '../support/gateway.js';
import { type LoggedGateway, leaksIn, startLoggedGateway } from './logged-gateway.js';

const S = {
  formSecret: 'lantern-orchard-seven',
  jsonAuthorization: 'copper-kettle-morning',
  jsonClientSecret: 'velvet-harbor-fog',
  queryKey: 'quiet-meadow-ember',
  tokenAnswer: 'marble-finch-dusk',
  toolArgument: 'paper-crane-drift',
  toolResult: 'amber-tide-lullaby',
  dotenv: 'silver-fern-compass',
};

let upstream: Server;
let model: DemoModel;
let g: LoggedGateway;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: S.tokenAnswer, token_type: 'bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  model = await startDemoModel({
    host: '127.0.0.1',
    port: 0,
    apiKey: 'sk-upstream-embedded-0123456789abcdef',
    respond: () => ({
      toolCalls: [{ name: 'deploy', arguments: { service: 'web', api_key: S.toolArgument } }],
    }),
  });
  process.env.VIGIL_LEAK_EMBEDDED_API = 'api-credential-0123456789abcdef';
  process.env.VIGIL_LEAK_EMBEDDED_MODEL = 'sk-upstream-embedded-0123456789abcdef';
  g = await startLoggedGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
        credential: 'env:VIGIL_LEAK_EMBEDDED_API',
        allow: ['*'],
      },
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_LEAK_EMBEDDED_MODEL',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await g?.gateway.close();
  await model?.close();
  await new Promise((r) => upstream?.close(r));
});

test('HTTP API: secret fields in a form, a JSON body, a query string and a token answer are masked', async () => {
  const base = `${g.gateway.url}/c/api`;
  const auth = { authorization: `Bearer ${TOKENS.alice}` };
  const form = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: S.formSecret,
    }),
  });
  assert.equal(form.status, 200);
  await form.text();
  const json = await fetch(`${base}/v1/integrations?api_key=${S.queryKey}&page=2`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'crm',
      config: {
        client_secret: S.jsonClientSecret,
        headers: { Authorization: `Token ${S.jsonAuthorization}` },
      },
    }),
  });
  assert.equal(json.status, 200);
  await json.text();
  await g.gateway.recorder.drain();
  const leaks = leaksIn(g.dataDir, [
    S.formSecret,
    S.jsonAuthorization,
    S.jsonClientSecret,
    S.queryKey,
    S.tokenAnswer,
  ]);
  assert.deepEqual(leaks, []);
});

test('model: a secret in tool-call arguments, a tool result and a .env file in a prompt is masked', async () => {
  const client = new OpenAI({ baseURL: `${g.gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const tools = [
    {
      type: 'function' as const,
      function: {
        name: 'deploy',
        parameters: { type: 'object', properties: { api_key: { type: 'string' } } },
      },
    },
  ];
  for (const stream of [false, true]) {
    const messages = [
      { role: 'user' as const, content: `Deploy with this config:\nSERVICE=web\nDEPLOY_TOKEN=${S.dotenv}\n` },
    ];
    if (stream) {
      const s = await client.chat.completions.create({ model: 'demo', stream: true, messages, tools });
      for await (const _ of s);
    } else {
      const answer = await client.chat.completions.create({ model: 'demo', messages, tools });
      assert.equal(answer.choices[0]?.message.tool_calls?.[0]?.type, 'function');
    }
  }
  // The next turn sends the call back with the tool's answer, a JSON text.
  await client.chat.completions.create({
    model: 'demo',
    tools,
    messages: [
      { role: 'user', content: 'Deploy web' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: {
              name: 'deploy',
              arguments: JSON.stringify({ service: 'web', api_key: S.toolArgument }),
            },
          },
        ],
      },
      {
        role: 'tool',
        tool_call_id: 'call_1',
        content: JSON.stringify({ ok: true, session_token: S.toolResult }),
      },
    ],
  });
  await g.gateway.recorder.drain();
  assert.deepEqual(leaksIn(g.dataDir, [S.toolArgument, S.toolResult, S.dotenv]), []);
});
