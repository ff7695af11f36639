// The MCP protocol as one module: `mcp` connections served at /c/<connection>/mcp, tool calls read
// by policy as the tool and its arguments (action-facts.ts).
import type { ConnectionConfig } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import type { HttpMount, ProtocolModule, WellKnownMount } from '../module.js';
import { describeMcpAction } from './action-facts.js';
import { callSample } from './call-sample.js';
import { mcpCommands } from './cli.js';
import { MCP_CONNECTION_TYPES, type McpConnectionConfig } from './config.js';
import { McpConnection } from './mcp-connection.js';

export const mcpModule: ProtocolModule = {
  name: 'mcp',
  connectionTypes: MCP_CONNECTION_TYPES,
  actionEvents: ['mcp.call', 'mcp.read', 'mcp.prompt', 'mcp.completion', 'mcp.client_answer'],
  describeAction: describeMcpAction,
  cli: mcpCommands,
  samples: [callSample],
  async start(ctx, connections) {
    const configs = connections.map(mcpConnectionConfig);
    const served = configs.map((config) => new McpConnection(config, ctx));
    await Promise.all(served.map((c) => c.load(ctx.dataDir)));
    const http = new Map<string, HttpMount>(
      served.map((c) => [c.config.name, (req, res, path, search) => c.handle(req, res, path, search)]),
    );
    const wellKnown = new Map<string, WellKnownMount>(
      served.map((c) => [c.config.name, (req, res, document, path) => c.wellKnown(req, res, document, path)]),
    );
    return {
      http,
      wellKnown,
      async close() {
        await Promise.all(served.map((c) => c.close()));
      },
    };
  },
};

function mcpConnectionConfig(connection: ConnectionConfig): McpConnectionConfig {
  const parsed = MCP_CONNECTION_TYPES.mcp.safeParse(connection);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VigilError(
      'config_invalid',
      `connection ${connection.name}: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}
