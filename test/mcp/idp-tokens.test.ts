// Standard MCP clients sign in with the OpenID provider itself: an access token the provider issued
// for the MCP connection's URL (its audience), presented as Bearer, admits its user, against a real
// provider (oidc-provider) and the official SDK client. A token for another resource, an id_token,
// a connection without a fixed public URL, and a disabled identity are refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { nowIso } from '../../src/core/events.js';
import { openSharedStore } from '../support/gateway.js';
import { accessTokenFor, startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';
import { initializeWith } from './raw-calls.js';

const PUBLIC_URL = 'http://127.0.0.1:8443';
const RESOURCE = `${PUBLIC_URL}/c/tools/mcp`;
let provider: TestProvider;
let f: McpFixture;

before(async () => {
  provider = await startTestProvider({
    alice: { email: 'alice@example.com', groups: ['ai-eng'] },
    erin: { email: 'erin@example.com', groups: ['ai-eng'] },
  });
  f = await startMcpFixture({
    identity: {
      oidc: {
        issuer: provider.issuer,
        client_id: 'vigil',
        allow_insecure_http: true,
        accept_access_tokens: true,
      },
    },
    connections: [
      { public_url: PUBLIC_URL, authorization_servers: [provider.issuer] },
      // The same tools without a fixed public URL: its resource URL would come from the Host header.
      { name: 'tools-by-host', type: 'mcp', upstream: 'http://127.0.0.1:9/mcp', allow: ['group:ai-eng'] },
    ],
  });
});
after(async () => {
  await f?.close();
  await provider?.close();
});

function status(path: string, token: string): Promise<{ status: number; challenge: string }> {
  return initializeWith(`${f.gateway.url}${path}`, token);
}

/**
 * Polls until the gateway refuses `token`. A request in flight when the gateway notices the change
 * is cut (its connection reset), which counts as refused: the final assertion makes a fresh one.
 */
async function untilRefused(token: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const refused = await status('/c/tools/mcp', token).then(
      (r) => r.status === 401,
      () => true,
    );
    if (refused) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an access token the provider issued for this connection admits its user; calls are recorded as theirs', async () => {
  provider.signInAs = 'alice';
  const { accessToken } = await accessTokenFor(provider, RESOURCE);
  assert.equal(decodeJwt(accessToken).aud, RESOURCE, 'the provider bound the token to the resource');
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, accessToken);
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'add'));
    const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    assert.deepEqual(result.content, [{ type: 'text', text: '5' }]);
  } finally {
    await client.close();
  }
  const call = (await f.events('mcp.call')).find((e) => e.payload?.tool === 'add');
  assert.equal(call?.identity.subject, 'alice@example.com');
  assert.deepEqual(call?.identity.groups, ['ai-eng']);
  assert.ok(
    f.arrivals.every((a) => a.authorization !== `Bearer ${accessToken}`),
    "the user's token never reaches the upstream",
  );
});

test('a token for another resource, an id_token, or one presented where the URL comes from the Host header is refused', async () => {
  provider.signInAs = 'alice';
  const other = await accessTokenFor(provider, `${PUBLIC_URL}/c/other/mcp`);
  const refused = await status('/c/tools/mcp', other.accessToken);
  assert.equal(refused.status, 401);
  assert.match(refused.challenge, /error="invalid_token"/);
  const idToken = await status('/c/tools/mcp', other.idToken);
  assert.equal(idToken.status, 401, 'an id_token is not an access token for the resource');
  const byHost = await accessTokenFor(provider, `${f.gateway.url}/c/tools-by-host/mcp`);
  assert.equal((await status('/c/tools-by-host/mcp', byHost.accessToken)).status, 401);
  // A token accepted (and remembered as verified) for one resource is still refused at another.
  const mine = await accessTokenFor(provider, RESOURCE);
  assert.equal((await status('/c/tools/mcp', mine.accessToken)).status, 200);
  assert.equal((await status('/c/tools-by-host/mcp', mine.accessToken)).status, 401);
  const denied = (await f.events('access.denied')).length;
  assert.ok(denied >= 1, 'refusals are recorded');
});

test('a disabled identity is refused even with a valid access token', async () => {
  provider.signInAs = 'erin';
  const { accessToken } = await accessTokenFor(provider, RESOURCE);
  const store = await openSharedStore(f.gateway);
  await store.access.disableIdentity('erin@example.com', nowIso(), 'left the team');
  await store.close();
  await untilRefused(accessToken);
  assert.equal((await status('/c/tools/mcp', accessToken)).status, 401);
});

test('a provider token is ended before it expires by revoking its id (oidc:<jti>)', async () => {
  provider.signInAs = 'alice';
  const { accessToken } = await accessTokenFor(provider, RESOURCE);
  assert.equal((await status('/c/tools/mcp', accessToken)).status, 200);
  const jti = decodeJwt(accessToken).jti;
  assert.equal(typeof jti, 'string');
  const store = await openSharedStore(f.gateway);
  await store.access.revokeToken(`oidc:${jti}`, nowIso());
  await store.close();
  await untilRefused(accessToken);
  assert.equal((await status('/c/tools/mcp', accessToken)).status, 401);
});

test('the protected-resource metadata is also at the host-level well-known location (RFC 9728), and only there for MCP', async () => {
  const atMount = await fetch(`${f.gateway.url}/c/tools/.well-known/oauth-protected-resource`);
  const atHost = await fetch(`${f.gateway.url}/.well-known/oauth-protected-resource/c/tools/mcp`);
  assert.equal(atHost.status, 200);
  const document = (await atHost.json()) as { resource?: string; authorization_servers?: string[] };
  assert.deepEqual(document, await atMount.json());
  assert.equal(document.resource, RESOURCE);
  assert.deepEqual(document.authorization_servers, [provider.issuer]);
  // Another resource path, another document, or a connection that is not there: no such route.
  for (const path of [
    '/.well-known/oauth-protected-resource/c/tools/other',
    '/.well-known/openid-configuration/c/tools/mcp',
    '/.well-known/oauth-protected-resource/c/nowhere/mcp',
  ]) {
    const res = await fetch(`${f.gateway.url}${path}`);
    await res.arrayBuffer();
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('x-vigil-error'), 'route_unknown', path);
  }
});
