// A model server behind an authenticating proxy trusts the user the proxy names (`Remote-User`,
// oauth2-proxy's `X-Auth-Request-User`, in any spelling a CGI-style server reads as one), and a
// Kubernetes-fronted one `Impersonate-User`. A client of a model connection that sent such a
// header had it forwarded: the upstream acted for that user, while the record said the request
// was made with the injected credential. Such headers are now dropped, unless the connection's
// `upstream_headers` set one itself. The openai SDK sends them here as any client could.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

let upstream: Server;
let gateway: TestGateway;
const seen: IncomingHttpHeaders[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 0,
          model: 'demo',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: url, allow: ['*'] },
      {
        name: 'pinned',
        type: 'llm-openai',
        upstream: url,
        allow: ['*'],
        upstream_headers: { 'Remote-User': 'vigil-service' },
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const ACTING = {
  'Remote-User': 'admin',
  X_Auth_Request_User: 'root',
  'X-WEBAUTH-USER': 'grafana-admin',
  'Impersonate-User': 'system:admin',
  'Impersonate-Extra-Scopes': 'all',
  Sudo: 'root',
};

function client(connection: string): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/c/${connection}/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: ACTING,
  });
}

const chat = { model: 'demo', messages: [{ role: 'user' as const, content: 'hello' }] };

test('headers naming another user for the upstream to act as are not forwarded', async () => {
  const answer = await client('oa').chat.completions.create(chat);
  assert.equal(answer.choices[0]?.message.content, 'hi');
  const headers = seen.at(-1)!;
  for (const name of Object.keys(ACTING))
    assert.equal(headers[name.toLowerCase()], undefined, `${name} reached the upstream`);
  // The client's ordinary headers still go on.
  assert.match(String(headers['user-agent']), /OpenAI/);
});

test('a header the connection sets itself is sent as the connection sets it', async () => {
  await client('pinned').chat.completions.create(chat);
  const headers = seen.at(-1)!;
  assert.equal(headers['remote-user'], 'vigil-service');
  assert.equal(headers['impersonate-user'], undefined);
});
