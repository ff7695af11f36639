// Attacks on a model connection through headers by which the upstream routes, run through the
// gateway with the official SDK against a real upstream that routes as gunicorn does (a Vigil on
// the same host is a front-end proxy it trusts by default): a `SCRIPT_NAME` request header names
// the prefix the application is mounted under, stripped from the path before it is routed. Until 6
// December a model connection forwarded it: `models.retrieve('admin')` with `SCRIPT_NAME:
// /v1/models` ran `GET /admin` with the injected credential, recorded as a model retrieved; a chat
// completion with `SCRIPT_NAME: /v1/chat` ran `/completions`. The ReverseProxied recipe that Flask
// and Django applications copy does the same with `X-Script-Name`.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

let upstream: Server;
let gateway: TestGateway;
/** The path the upstream's application was handed to route, for each request it got. */
const routed: string[] = [];

/** The path as gunicorn and the ReverseProxied recipe hand it to the application. */
function applicationPath(url: string, headers: IncomingHttpHeaders): string | null {
  let path = url.split('?')[0]!;
  // gunicorn: a header named SCRIPT_NAME (or PATH_INFO) in any case; a path outside it is refused.
  const scriptName = headers.script_name?.toString() ?? '';
  if (scriptName !== '') {
    if (!path.startsWith(scriptName)) return null;
    path = path.slice(scriptName.length);
  }
  const pathInfo = headers.path_info?.toString() ?? '';
  if (pathInfo !== '') path = pathInfo;
  // The ReverseProxied recipe (Flask's snippet 35): X-Script-Name, stripped when the path starts with it.
  const prefix = headers['x-script-name']?.toString() ?? '';
  if (prefix !== '' && path.startsWith(prefix)) path = path.slice(prefix.length);
  return path;
}

function answer(method: string, path: string): unknown {
  if (method === 'GET') return { id: path, object: 'model', created: 0, owned_by: 'org' };
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: path }, finish_reason: 'stop' }],
  };
}

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = applicationPath(req.url ?? '/', req.headers);
      if (path === null) {
        res.writeHead(500).end();
        return;
      }
      routed.push(path);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(req.method ?? 'GET', path)));
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_DEC6_LLM_ROUTING_KEY = 'sk-proj-RoutingNeverHeldByTheCaller0123456789';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: url,
        credential: 'env:VIGIL_TEST_DEC6_LLM_ROUTING_KEY',
        allow: ['group:ai-eng'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

function client(headers: Record<string, string>): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: headers,
  });
}

const MOUNT_HEADERS = ['SCRIPT_NAME', 'script_name', 'Script-Name', 'X-Script-Name', 'X_Script_Name'];

test('a model retrieved with a mount-prefix header runs the model route, not another', async () => {
  for (const name of MOUNT_HEADERS) {
    const before = routed.length;
    const model = await client({ [name]: '/v1/models' }).models.retrieve('admin');
    assert.equal(model.id, '/v1/models/admin', name);
    assert.deepEqual(routed.slice(before), ['/v1/models/admin'], name);
  }
  const before = routed.length;
  await client({ PATH_INFO: '/admin' }).models.retrieve('gpt-4o-mini');
  assert.deepEqual(routed.slice(before), ['/v1/models/gpt-4o-mini'], 'PATH_INFO');
});

test('a chat completion with a mount-prefix header runs the chat route', async () => {
  for (const name of MOUNT_HEADERS) {
    const before = routed.length;
    const completion = await client({ [name]: '/v1/chat' }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
    });
    assert.equal(completion.choices[0]?.message.content, '/v1/chat/completions', name);
    assert.deepEqual(routed.slice(before), ['/v1/chat/completions'], name);
  }
});

test('what was recorded is the path the upstream ran, and the ledger verifies', async () => {
  const requests = await connectionEvents(gateway, 'oa', 'llm.request');
  assert.deepEqual(
    requests.map((e) => e.payload?.path),
    routed,
  );
  await assertLedgerVerifies(gateway);
});
