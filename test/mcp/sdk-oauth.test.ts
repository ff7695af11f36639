// A standard MCP client signs in through Vigil with nothing but the connection's URL: the official
// SDK client, given an OAuth provider (its authProvider) and no token, gets Vigil's 401, follows
// the protected-resource metadata to the real OpenID provider (oidc-provider), runs the
// authorization-code flow with PKCE and the resource indicator, and then lists and calls tools
// through Vigil as the user it signed in as. Vigil sits behind a proxy here, as behind a load
// balancer: the URL the client knows is the connection's public_url, not the listen address.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { decodeJwt } from 'jose';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';
import { type McpFixture, startMcpFixture } from './fixture.js';

const REDIRECT = 'http://127.0.0.1/callback';
let provider: TestProvider;
let f: McpFixture;
let front: Server;
let publicUrl: string;

/** The load balancer: passes every request to the gateway as it is. */
function startFront(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const target = new URL(f.gateway.url);
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  provider = await startTestProvider({ alice: { email: 'alice@example.com', groups: ['ai-eng'] } });
  // The public URL must be known before the gateway's configuration: the front listens first.
  front = createServer();
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const port = (front.address() as AddressInfo).port;
  await new Promise<void>((resolve) => front.close(() => resolve()));
  publicUrl = `http://127.0.0.1:${port}`;
  f = await startMcpFixture({
    identity: {
      oidc: {
        issuer: provider.issuer,
        client_id: 'vigil',
        allow_insecure_http: true,
        accept_access_tokens: true,
      },
    },
    connections: [{ public_url: publicUrl, authorization_servers: [provider.issuer] }],
  });
  // (Should another process take the port in between, listening fails loudly: nothing passes by chance.)
  front = await startFront(port);
});
after(async () => {
  await new Promise<void>((resolve) => (front ? front.close(() => resolve()) : resolve()));
  await f?.close();
  await provider?.close();
});

/** What an MCP host keeps for one user: the registered client, the PKCE verifier, the tokens. */
class HostOAuth implements OAuthClientProvider {
  authorizationUrl: URL | null = null;
  #tokens: OAuthTokens | undefined;
  #verifier = '';

  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'an MCP host',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid email groups mcp',
    };
  }
  clientInformation(): OAuthClientInformationMixed {
    // Registered with the provider beforehand (a public client), as an organisation does.
    return { client_id: 'vigil' };
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
}

test('the official SDK client signs in through the OAuth flow Vigil points it to, then calls tools as its user', async () => {
  provider.signInAs = 'alice';
  const oauth = new HostOAuth();
  const mcpUrl = new URL(`${publicUrl}/c/tools/mcp`);
  const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth });
  await assert.rejects(
    new Client({ name: 'host', version: '1.0.0' }).connect(first),
    UnauthorizedError,
    'without a token the client is sent to sign in',
  );
  const authorization = oauth.authorizationUrl;
  assert.ok(authorization, 'the SDK found the provider through the protected-resource metadata');
  assert.equal(authorization.origin, new URL(provider.issuer).origin);
  assert.equal(
    authorization.searchParams.get('resource'),
    mcpUrl.href,
    'the token is asked for this connection',
  );
  assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');

  // The user's browser: the provider signs them in and sends them back with a code.
  const landed = await new TestBrowser().follow(authorization.toString(), REDIRECT);
  const code = new URL(landed.url).searchParams.get('code');
  assert.ok(code, `the provider answered with a code: ${landed.url}`);
  await first.finishAuth(code);
  const accessToken = oauth.tokens()?.access_token;
  assert.ok(accessToken);
  assert.equal(decodeJwt(accessToken).aud, mcpUrl.href, 'the access token is bound to the connection');

  const client = new Client({ name: 'host', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: oauth }));
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'add'));
    const result = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
    assert.deepEqual(result.content, [{ type: 'text', text: '42' }]);
  } finally {
    await client.close();
  }
  const call = (await f.events('mcp.call')).find((e) => e.payload?.tool === 'add');
  assert.equal(call?.identity.subject, 'alice@example.com', 'the call is recorded as the signed-in user');
  assert.ok(
    f.arrivals.every((a) => a.authorization !== `Bearer ${accessToken}`),
    "the user's token never reaches the upstream",
  );
  const denied = await f.events('access.denied');
  assert.ok(denied.length >= 1, 'the first, tokenless request was refused and recorded');
});
