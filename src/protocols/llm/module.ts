// The model-endpoint protocol as one module: OpenAI- and Anthropic-compatible connections served
// under /c/<connection>/ on the gateway's HTTP listener, their requests read by policy as prompts,
// models and tools, and `vigil policy test --prompt` building the request the adapter would submit.
import type { ConnectionConfig } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import type { HttpMount, ProtocolModule } from '../module.js';
import { describeLlmAction } from './action-facts.js';
import { LLM_CONNECTION_TYPES, type LlmConnectionConfig } from './config.js';
import { LlmConnection } from './llm-adapter.js';
import { promptSample } from './prompt-sample.js';

export const llmModule: ProtocolModule = {
  name: 'llm',
  connectionTypes: LLM_CONNECTION_TYPES,
  actionEvents: ['llm.request'],
  describeAction: describeLlmAction,
  samples: [promptSample],
  async start(ctx, connections) {
    // Every configuration is read before any upstream pool opens, so a bad one leaves nothing to close.
    const configs = connections.map(llmConnectionConfig);
    const served = configs.map((config) => new LlmConnection(config, ctx));
    const http = new Map<string, HttpMount>(
      served.map((connection) => [
        connection.config.name,
        (req, res, path, search) => connection.handle(req, res, path, search),
      ]),
    );
    return {
      http,
      async close() {
        await Promise.all(served.map((connection) => connection.close()));
      },
    };
  },
};

/**
 * The server hands a module the connections of its types as core's protocol-neutral shape; reading
 * each again with its own schema gives the typed configuration (parsing is idempotent on parsed
 * values) and refuses a connection of a type this module does not serve.
 */
function llmConnectionConfig(connection: ConnectionConfig): LlmConnectionConfig {
  const schema = Object.hasOwn(LLM_CONNECTION_TYPES, connection.type)
    ? LLM_CONNECTION_TYPES[connection.type as keyof typeof LLM_CONNECTION_TYPES]
    : null;
  if (!schema) {
    throw new VigilError(
      'config_invalid',
      `connection ${connection.name}: the llm module does not serve type ${connection.type}`,
    );
  }
  const parsed = schema.safeParse(connection);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VigilError(
      'config_invalid',
      `connection ${connection.name}: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}
