// A model connection's upstream is often an LLM gateway (Portkey, LiteLLM, Helicone, an Envoy AI
// Gateway route) that takes the model, the provider, the host to call and body overrides from
// request headers. Forwarded as the client sent them, `model-override` or Portkey's
// `x-portkey-config` ran a model a rule denies while the record named the body's allowed one, and
// `x-portkey-custom-host` had the gateway send the request, with the key Vigil injects, to the
// client's own host. The stand-in upstream here behaves as such a gateway does; the client is the
// official openai SDK, sending the headers with every request as any client could.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { recordedEvents, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { type ReceivedRequest, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const INJECTED_KEY = 'sk-gateway-injected-5f1c2a';
const KEY_ENV = 'VIGIL_TEST_GATEWAY_HEADERS_KEY';
let chat: ScriptedChat;
let pinned: ScriptedChat;
let elsewhere: Server;
let elsewhereUrl: string;
/** What reached the client's own host: the headers the gateway sent it. */
const stolen: IncomingHttpHeaders[] = [];

/** The model a gateway runs: its override headers first, then the body's. */
function modelRun(request: ReceivedRequest): string {
  const override = request.headers['model-override'] ?? request.headers['x-ai-eg-model'];
  if (typeof override === 'string') return override;
  const config = request.headers['x-portkey-config'];
  // A config is a JSON object or the id of one stored at the gateway (`pc-…`).
  if (typeof config === 'string' && config.startsWith('{')) {
    const model = (JSON.parse(config) as { override_params?: { model?: string } }).override_params?.model;
    if (model) return model;
  }
  return (JSON.parse(request.body) as { model: string }).model;
}

/** A Portkey-like gateway: a custom host gets the request and the provider key; it answers with the model it ran. */
async function gatewayAnswer(
  request: ReceivedRequest,
  res: import('node:http').ServerResponse,
): Promise<void> {
  const host = request.headers['x-portkey-custom-host'] ?? request.headers['helicone-target-url'];
  if (typeof host === 'string') {
    const authorization = request.headers.authorization ?? '';
    await fetch(`${host}/chat/completions`, {
      method: 'POST',
      headers: { authorization },
      body: request.body,
    });
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'chatcmpl-gw',
      object: 'chat.completion',
      created: 0,
      model: modelRun(request),
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    }),
  );
}

before(async () => {
  process.env[KEY_ENV] = INJECTED_KEY;
  elsewhere = createServer((req, res) => {
    stolen.push(req.headers);
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  elsewhereUrl = await listenOnLoopback(elsewhere);
  const policy = { rules: [{ name: 'no-secret-models', match: { models: ['secret-*'] }, action: 'deny' }] };
  const answer = (request: ReceivedRequest, res: import('node:http').ServerResponse) => {
    void gatewayAnswer(request, res);
  };
  chat = await startScriptedChat(answer, { credential: `env:${KEY_ENV}` }, { policy });
  pinned = await startScriptedChat(
    answer,
    { credential: `env:${KEY_ENV}`, upstream_headers: { 'x-portkey-config': 'pc-operator' } },
    { policy },
  );
});

after(async () => {
  await chat?.close();
  await pinned?.close();
  elsewhere?.closeAllConnections();
  await new Promise<void>((r) => elsewhere?.close(() => r()));
  delete process.env[KEY_ENV];
});

function client(on: ScriptedChat, headers: Record<string, string>): OpenAI {
  return new OpenAI({
    baseURL: `${on.gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

const request = { model: 'demo', messages: [{ role: 'user' as const, content: 'hello' }] };

test('a header that makes a gateway upstream run another model never reaches it', async () => {
  const overrides: Record<string, string>[] = [
    { 'model-override': 'secret-model' },
    { 'X-AI-EG-Model': 'secret-model' },
    { 'x-portkey-config': JSON.stringify({ override_params: { model: 'secret-model' } }) },
    // A CGI-style server reads the underscore spelling as the dashed header.
    { X_Portkey_Config: JSON.stringify({ override_params: { model: 'secret-model' } }) },
  ];
  for (const headers of overrides) {
    const answer = await client(chat, headers).chat.completions.create(request);
    assert.equal(
      answer.model,
      'demo',
      `${JSON.stringify(headers)}: the gateway ran the model the record names`,
    );
    const arrived = chat.received.at(-1)!.headers;
    for (const name of Object.keys(headers))
      assert.equal(arrived[name.toLowerCase()], undefined, `${name} reached the upstream`);
  }
  const records = await recordedEvents(chat.gateway, 'llm.request');
  for (const record of records) assert.equal(record.payload?.model, 'demo');
});

test("a header that sends the injected key to the client's host never reaches the gateway", async () => {
  const headers = {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': elsewhereUrl,
    'Helicone-Target-Url': elsewhereUrl,
    'x-litellm-tags': 'premium',
    'x-pass-openai-project': 'proj_other',
    'cf-aig-authorization': 'Bearer other',
  };
  const answer = await client(chat, headers).chat.completions.create(request);
  assert.equal(answer.choices[0]?.message.content, 'ok');
  // The upstream got the key; nobody else did.
  assert.deepEqual(
    stolen.map((h) => h.authorization),
    [],
    "the gateway sent the injected key to the client's host",
  );
  const arrived = chat.received.at(-1)!.headers;
  assert.equal(arrived.authorization, `Bearer ${INJECTED_KEY}`);
  for (const name of Object.keys(headers))
    assert.equal(arrived[name.toLowerCase()], undefined, `${name} reached the upstream`);
  // The client's ordinary headers still go on.
  assert.match(String(arrived['user-agent']), /OpenAI/);
});

test("a gateway header the connection sets itself is sent as set, the client's dropped", async () => {
  await client(pinned, {
    'x-portkey-config': 'pc-client',
    'x-portkey-custom-host': elsewhereUrl,
  }).chat.completions.create(request);
  const arrived = pinned.received.at(-1)!.headers;
  assert.equal(arrived['x-portkey-config'], 'pc-operator');
  assert.equal(arrived['x-portkey-custom-host'], undefined);
});
