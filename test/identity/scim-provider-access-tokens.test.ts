// SCIM re-activation gives back the right to sign in and nothing else: every token the person held
// before the deactivation stays void. That includes an access token the OpenID provider issued for
// an MCP connection (identity.oidc.accept_access_tokens), not only Vigil's own tokens: otherwise a
// token copied before the offboarding works again as soon as the provider re-activates the account.
// Real parts: the gateway, the OpenID provider (oidc-provider), SCIM over HTTP, the MCP connection.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { McpFixture } from '../mcp/fixture.js';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { accessTokenFor, type TestProvider } from '../support/oidc-provider.js';
import { initializeStatus, PUBLIC_URL, startProviderTokenFixture } from './provider-access-tokens.js';

const RESOURCE = `${PUBLIC_URL}/c/tools/mcp`;
let provider: TestProvider;
let f: McpFixture;
let scim: ScimClient;

before(async () => {
  ({ provider, f } = await startProviderTokenFixture({ scim: { enabled: true } }));
  scim = new ScimClient(f.gateway, await issueScimToken(f.gateway, 'idp'));
});

after(async () => {
  await f?.close();
  await provider?.close();
});

const mcpStatus = (token: string): Promise<number> => initializeStatus(f, token);

test("a provider's access token issued before a SCIM deactivation stays void after re-activation", async () => {
  const erin = await scim.createUser('erin@example.com');
  provider.signInAs = 'erin';
  const { accessToken: before } = await accessTokenFor(provider, RESOURCE);
  assert.equal(await mcpStatus(before), 200, 'the control: the token admits erin');
  // A second token, never presented while erin was active: no live session names its id, so the
  // deprovisioning cannot revoke it by id (it revokes the tokens of the sessions it cuts).
  const { accessToken: kept } = await accessTokenFor(provider, RESOURCE);

  // iat has whole seconds: let the deactivation fall in a later second than the token.
  await new Promise((r) => setTimeout(r, 1100));
  await scim.setActive(erin, false);
  assert.equal(await mcpStatus(before), 401, 'deactivated');
  await scim.setActive(erin, true);

  assert.equal(await mcpStatus(before), 401, 'a token from before the deactivation stays void');
  assert.equal(await mcpStatus(kept), 401, 'so does one that was never used before it');
  await new Promise((r) => setTimeout(r, 1100));
  const { accessToken: after } = await accessTokenFor(provider, RESOURCE);
  assert.equal(await mcpStatus(after), 200, 'a token issued after the re-activation admits erin');
});
