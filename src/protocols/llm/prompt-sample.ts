// `vigil policy test --prompt TEXT [--model NAME] [--tool NAME ...]`: the llm.request a model
// connection's adapter would submit for a one-message chat, so the rules see what they would see live.
import type { ConnectionConfig } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { LlmRequestRecord } from '../../core/llm-payloads.js';
import type { SampleAction } from '../module.js';
import type { LlmFlavour } from './routes.js';

export const promptSample: SampleAction = {
  option: 'prompt',
  description: 'a prompt to a model connection (an llm.request)',
  refinements: {
    model: { description: 'the model the prompt asks for' },
    tool: { description: 'a tool offered to the model', repeatable: true },
  },
  async build(connection, text, refinements) {
    const model = refinements.model;
    const tool = refinements.tool;
    if (Array.isArray(model)) throw new VigilError('usage', '--model is given once');
    const tools: readonly string[] = tool === undefined ? [] : typeof tool === 'string' ? [tool] : tool;
    return {
      type: 'llm.request',
      payload: promptPayload(flavourOf(connection), text, (model as string | undefined) ?? null, tools),
    };
  },
};

function flavourOf(connection: ConnectionConfig): LlmFlavour {
  if (connection.type === 'llm-openai' || connection.type === 'llm-anthropic') return connection.type;
  throw new VigilError(
    'usage',
    `--prompt needs a model connection; ${connection.name} is ${connection.type}`,
  );
}

/** A chat request as an OpenAI or Anthropic client would send it. */
export function promptPayload(
  type: LlmFlavour,
  prompt: string,
  model: string | null,
  tools: readonly string[],
): LlmRequestRecord {
  const anthropic = type === 'llm-anthropic';
  const body: JsonObject = { messages: [{ role: 'user', content: prompt }] };
  if (model !== null) body.model = model;
  if (tools.length > 0) {
    body.tools = tools.map(
      (name): JsonObject =>
        anthropic ? { name, input_schema: { type: 'object' } } : { type: 'function', function: { name } },
    );
  }
  return {
    requestId: 'policy-test',
    api: anthropic ? 'anthropic.messages' : 'openai.chat',
    method: 'POST',
    path: anthropic ? '/v1/messages' : '/v1/chat/completions',
    query: '',
    model,
    stream: false,
    n: 1,
    body,
    parent: null,
    trace: null,
    clientConnection: null,
  };
}
