// An application behind an identity-aware proxy takes the signed-in user, their groups and role,
// and the client's address from headers that proxy sets: Authelia's `Remote-Groups`, Google IAP's
// `X-Goog-Authenticated-User-Email`, `tailscale serve`'s `Tailscale-User-Login`, Azure App
// Service's `X-MS-CLIENT-PRINCIPAL-NAME`, Grafana's `X-WEBAUTH-ROLE`; Rails' `remote_ip` reads
// `Client-IP` from a proxy on a private address. Vigil refused `Remote-User` and a few others, but
// these went on: a client named itself a member of `admins`, or any user, or came from any address,
// while the record showed the injected credential's own request. The stand-in upstream reads them
// as those applications do; the clients are node:http and the official openai SDK.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { sendThrough } from './send-through.js';

let upstream: Server;
let gateway: TestGateway;
const arrived: { url: string; headers: IncomingHttpHeaders }[] = [];

/** The client address as Rails' ActionDispatch::RemoteIp computes it behind a trusted proxy. */
function railsRemoteIp(headers: IncomingHttpHeaders, remote: string): string {
  const forwarded = String(headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const client = String(headers['client-ip'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const trusted = (ip: string) => /^(127\.|10\.|192\.168\.|::1$|::ffff:127\.)/.test(ip);
  return [...forwarded, ...client, remote].filter((ip) => !trusted(ip))[0] ?? remote;
}

/** Who the application takes the caller for, as each front end's applications read it. */
function signedIn(headers: IncomingHttpHeaders): string | null {
  const h = (name: string) => {
    const v = headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  if (h('remote-groups')?.split(',').includes('admins')) return 'admins';
  return (
    h('tailscale-user-login') ??
    h('x-goog-authenticated-user-email')?.replace(/^accounts\.google\.com:/, '') ??
    h('x-ms-client-principal-name') ??
    h('x-amzn-oidc-identity') ??
    h('x-webauth-role') ??
    h('x-authentik-groups') ??
    null
  );
}

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      const seen = {
        user: signedIn(req.headers),
        remote_ip: railsRemoteIp(req.headers, req.socket.remoteAddress ?? ''),
      };
      if (req.url?.endsWith('/chat/completions')) {
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 0,
            model: 'demo',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: JSON.stringify(seen) },
                finish_reason: 'stop',
              },
            ],
          }),
        );
      } else res.end(JSON.stringify(seen));
    });
  });
  const url = await listenOnLoopback(upstream);
  const connection = { type: 'http', upstream: url, allow: ['*'] };
  gateway = await startTestGateway({
    connections: [
      { name: 'app', ...connection },
      { name: 'trusted', ...connection, impersonation_headers_forwarded: ['Remote-Groups'] },
      { name: 'oa', type: 'llm-openai', upstream: url, allow: ['*'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const ACTING: Record<string, string> = {
  'Remote-Groups': 'admins',
  Remote_Email: 'root@example.com',
  'Tailscale-User-Login': 'admin@example.com',
  'X-Goog-Authenticated-User-Email': 'accounts.google.com:admin@example.com',
  'X-MS-CLIENT-PRINCIPAL-NAME': 'admin@example.com',
  'X-Amzn-Oidc-Identity': 'admin',
  'X-WEBAUTH-ROLE': 'Admin',
  'X-authentik-groups': 'admins',
  'Cf-Access-Authenticated-User-Email': 'admin@example.com',
  'X-Pomerium-Claim-Email': 'admin@example.com',
};

test('a header naming the signed-in user, their groups or role to an application behind an identity-aware proxy is refused', async () => {
  for (const [name, value] of Object.entries(ACTING)) {
    const before = arrived.length;
    const res = await sendThrough(gateway.url, 'app', 'GET', '/me', { [name]: value });
    assert.equal(res.status, 400, `${name}: ${res.body}`);
    assert.equal(res.code, 'impersonation_refused', name);
    assert.equal(arrived.length, before, `${name} reached the upstream`);
  }
  const refused = (await connectionEvents(gateway, 'app', 'http.request')).filter((e) => e.payload?.refused);
  const names = refused.map((e) => (e.payload?.refused_header as { name: string } | undefined)?.name);
  assert.deepEqual(
    names,
    Object.keys(ACTING).map((n) => n.toLowerCase().replaceAll('_', '-')),
  );
});

test('a connection that lists such a header forwards it, recorded', async () => {
  const res = await sendThrough(gateway.url, 'trusted', 'GET', '/me', { 'Remote-Groups': 'admins' });
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body).user, 'admins');
  const [request] = (await connectionEvents(gateway, 'trusted', 'http.request')).slice(-1);
  assert.deepEqual(request?.payload?.forwarded_headers, { 'remote-groups': 'admins' });
});

test("a header naming the client's address for the upstream to trust never reaches it", async () => {
  for (const name of ['Client-IP', 'Client_IP', 'True-Client-IP', 'CF-Connecting-IP', 'Fastly-Client-IP']) {
    const res = await sendThrough(gateway.url, 'app', 'GET', '/me', { [name]: '203.0.113.7' });
    assert.equal(res.status, 200, name);
    assert.notEqual(
      JSON.parse(res.body).remote_ip,
      '203.0.113.7',
      `${name}: the upstream took the client's address`,
    );
    const headers = arrived.at(-1)!.headers;
    assert.equal(headers[name.toLowerCase()], undefined, `${name} reached the upstream`);
  }
});

test('a model connection drops the same headers', async () => {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { ...ACTING, 'Client-IP': '203.0.113.7' },
  });
  const answer = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'who am I?' }],
  });
  const seen = JSON.parse(answer.choices[0]?.message.content ?? '{}');
  assert.equal(seen.user, null);
  assert.notEqual(seen.remote_ip, '203.0.113.7');
  const headers = arrived.at(-1)!.headers;
  for (const name of [...Object.keys(ACTING), 'Client-IP'])
    assert.equal(
      headers[name.toLowerCase().replaceAll('_', '-')],
      undefined,
      `${name} reached the model upstream`,
    );
  assert.equal(headers.remote_email, undefined);
});
