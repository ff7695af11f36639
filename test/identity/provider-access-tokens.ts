// The setup of the tests where an OpenID provider's access tokens reach an MCP connection
// (identity.oidc.accept_access_tokens): the provider with erin (ai-eng), the gateway's MCP fixture
// trusting it, and the raw `initialize` call whose status says whether a token is admitted.
import { type McpFixture, startMcpFixture } from '../mcp/fixture.js';
import { initializeWith } from '../mcp/raw-calls.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';

export const PUBLIC_URL = 'http://127.0.0.1:8443';

export interface ProviderTokenFixture {
  readonly provider: TestProvider;
  readonly f: McpFixture;
}

/** The provider and a gateway that takes its access tokens on `tools`; `identity` adds settings (SCIM). */
export async function startProviderTokenFixture(
  identity: Record<string, unknown> = {},
): Promise<ProviderTokenFixture> {
  const provider = await startTestProvider({ erin: { email: 'erin@example.com', groups: ['ai-eng'] } });
  const f = await startMcpFixture({
    identity: {
      ...identity,
      oidc: {
        issuer: provider.issuer,
        client_id: 'vigil',
        allow_insecure_http: true,
        accept_access_tokens: true,
      },
    },
    connections: [{ public_url: PUBLIC_URL, authorization_servers: [provider.issuer] }],
  });
  return { provider, f };
}

/** The HTTP status of an MCP `initialize` sent with `token` to the fixture's `tools` connection. */
export async function initializeStatus(f: McpFixture, token: string): Promise<number> {
  return (await initializeWith(`${f.gateway.url}/c/tools/mcp`, token)).status;
}
