// Shared by the tests whose stand-in upstream scripts an Anthropic stream: the message a
// `message_start` event opens, and the official SDK's client pointed at the gateway's `oa`
// connection as alice.
import Anthropic from '@anthropic-ai/sdk';
import { TOKENS } from '../support/gateway.js';

/** The empty assistant message a scripted stream's `message_start` carries. */
export function anthropicMessage(id: string): object {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: 'demo',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 0 },
  };
}

/** @anthropic-ai/sdk against the gateway at `gatewayUrl`, on connection `oa`, as alice, no retries. */
export function anthropicClient(gatewayUrl: string): Anthropic {
  return new Anthropic({ baseURL: `${gatewayUrl}/c/oa`, apiKey: TOKENS.alice, maxRetries: 0 });
}
