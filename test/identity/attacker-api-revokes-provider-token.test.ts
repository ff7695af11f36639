// An admin ends a provider access token through the admin API (the console's and scripts' door), as
// `vigil token revoke oidc:<jti>` does. The route took only ids of letters, digits, `_` and `-`, so
// `DELETE /api/tokens/oidc:<jti>` answered 404 and the stolen token kept working on the MCP
// connection until it expired: the API, documented as offering what the CLI does, could not end it.
// Real parts: the gateway, the OpenID provider (oidc-provider), the admin API over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import type { McpFixture } from '../mcp/fixture.js';
import { TOKENS } from '../support/gateway.js';
import { accessTokenFor, type TestProvider } from '../support/oidc-provider.js';
import { initializeStatus, PUBLIC_URL, startProviderTokenFixture } from './provider-access-tokens.js';

let provider: TestProvider;
let f: McpFixture;

before(async () => {
  ({ provider, f } = await startProviderTokenFixture());
});
after(async () => {
  await f?.close();
  await provider?.close();
});

const initialize = (token: string): Promise<number> => initializeStatus(f, token);

test('DELETE /api/tokens/oidc:<jti> ends a provider access token at once', async () => {
  provider.signInAs = 'erin';
  const { accessToken } = await accessTokenFor(provider, `${PUBLIC_URL}/c/tools/mcp`);
  const jti = decodeJwt(accessToken).jti;
  assert.equal(typeof jti, 'string');
  assert.equal(await initialize(accessToken), 200, 'the control: the provider token admits erin');

  const res = await fetch(`${f.gateway.url}/api/tokens/${encodeURIComponent(`oidc:${jti}`)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.deepEqual(
    { status: res.status, body: await res.json() },
    { status: 200, body: { id: `oidc:${jti}`, revoked: true } },
  );
  // The route applies the revocation on this gateway before it answers.
  assert.equal(await initialize(accessToken), 401, 'the revoked provider token is refused');
});
