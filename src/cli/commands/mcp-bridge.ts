// `vigil mcp-bridge <connection>`: an MCP server on stdio for local clients (an IDE, Claude
// Desktop) that relays every message to the gateway's streamable-HTTP endpoint with the user's
// Vigil token, so a stdio-only client gets the same recording, pinning and policy. Both sides are
// the official SDK's transports; the bridge holds no state but the gateway's session id.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { readToken } from '../../identity/oidc-token-file.js';
import { type ApiOptions, addApiOptions } from '../api-client.js';
import { loadCliConfig } from '../context.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  addApiOptions(
    program
      .command('mcp-bridge <connection>')
      .description('serve an MCP connection of the gateway on stdio (for stdio-only MCP clients)'),
  ).action(async (connection: string, opts: ApiOptions) => {
    const stored = readToken();
    const token = opts.token || process.env.VIGIL_TOKEN || stored?.token;
    if (!token)
      throw new VigilError('auth_missing', 'no token: sign in with `vigil login`, or set VIGIL_TOKEN');
    const gateway = (
      opts.gateway ||
      process.env.VIGIL_GATEWAY ||
      stored?.gateway ||
      `http://${loadCliConfig(program.opts()).config.listen}`
    ).replace(/\/+$/, '');
    await bridge(new URL(`${gateway}/c/${encodeURIComponent(connection)}/mcp`), token);
  });
}

async function bridge(url: URL, token: string): Promise<void> {
  // Loaded here, not at the top: every other command would otherwise pay for loading the MCP SDK.
  const { StreamableHTTPClientTransport } = await import(
    '@modelcontextprotocol/sdk/client/streamableHttp.js'
  );
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const stdio = new StdioServerTransport();
  const http = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  http.onmessage = (message) => {
    const result = 'result' in message ? (message.result as { protocolVersion?: unknown }) : null;
    // The SDK client sends MCP-Protocol-Version once it knows it; the bridge learns it from the answer to initialize.
    if (result && typeof result.protocolVersion === 'string') http.setProtocolVersion(result.protocolVersion);
    void stdio.send(message);
  };
  http.onerror = (err) => process.stderr.write(`vigil mcp-bridge: ${err.message}\n`);
  stdio.onmessage = (message: JSONRPCMessage) => {
    http.send(message).catch((err: Error) => {
      // A request the gateway refused at the HTTP level (no token, unknown session) still gets its answer.
      if ('id' in message && 'method' in message) {
        void stdio.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32002, message: `the gateway refused the request: ${err.message}` },
        });
      } else process.stderr.write(`vigil mcp-bridge: ${err.message}\n`);
    });
  };
  stdio.onclose = () => {
    void http
      .terminateSession()
      .catch(() => undefined)
      .finally(() => {
        void http.close().finally(finished);
      });
  };
  process.stdin.on('end', () => stdio.onclose?.());
  await http.start();
  await stdio.start();
  await done;
}
