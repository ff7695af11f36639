// An upstream MCP server of the official SDK over Streamable HTTP, behind a test gateway on one MCP
// connection that group:ai-eng may use, and alice's SDK client on that connection: the setup of the
// tests that compare what reached the upstream with what the ledger holds.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

export interface SdkGateway {
  readonly upstream: SdkHttpServer;
  readonly gateway: TestGateway;
  readonly alice: Client;
  /** Closes the client, then the gateway, then the upstream. */
  close(): Promise<void>;
}

/** `connection` proxies an upstream made by `makeServer`; `inspect` sees each request it gets. */
export async function startSdkGateway(
  connection: string,
  ...upstreamArgs: Parameters<typeof serveSdkOverHttp>
): Promise<SdkGateway> {
  const upstream = await serveSdkOverHttp(...upstreamArgs);
  let gateway: TestGateway | undefined;
  try {
    gateway = await startTestGateway({
      connections: [{ name: connection, type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
    });
    const alice = await sdkClient(`${gateway.url}/c/${connection}/mcp`, TOKENS.alice);
    const started = gateway;
    return {
      upstream,
      gateway: started,
      alice,
      async close() {
        await alice.close();
        await started.close();
        await upstream.close();
      },
    };
  } catch (err) {
    // A half-started fixture would keep the test file's process alive.
    await gateway?.close();
    await upstream.close();
    throw err;
  }
}
