// Anthropic Messages rebuilt from the recorded choice: a message object, or its event stream
// (message_start, per content block start / ping after the first / deltas / stop, message_delta with
// the stop reason and output usage, message_stop), as src/demo-model and the API produce it.
import type { JsonObject, JsonValue } from '../core/events.js';
import type { LlmChoice } from '../core/llm-payloads.js';
import { type AnswerHead, sseEvent, textPieces } from './wire-pieces.js';

const ARGUMENT_PIECE = 16;

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: JsonValue; json: string };

function blocks(choice: LlmChoice | undefined): Block[] {
  const out: Block[] = [];
  if (!choice) return [{ type: 'text', text: '' }];
  if (choice.text !== '' || choice.toolCalls.length === 0) out.push({ type: 'text', text: choice.text });
  for (const call of choice.toolCalls) {
    out.push({
      type: 'tool_use',
      id: call.id,
      name: call.name,
      input: parseOrEmpty(call.arguments),
      json: call.arguments,
    });
  }
  return out;
}

function parseOrEmpty(json: string): JsonValue {
  try {
    return JSON.parse(json) as JsonValue;
  } catch {
    return {};
  }
}

function wireBlock(b: Block): JsonObject {
  return b.type === 'text'
    ? { type: 'text', text: b.text }
    : { type: 'tool_use', id: b.id, name: b.name, input: b.input };
}

function message(head: AnswerHead, usage: JsonValue): JsonObject {
  return {
    id: head.id ?? `msg_rerun_${head.requestId}`,
    type: 'message',
    role: 'assistant',
    model: head.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage ?? { input_tokens: 0, output_tokens: 0 },
  };
}

export function anthropicBody(head: AnswerHead, choices: LlmChoice[], usage: JsonValue): JsonValue {
  const choice = choices[0];
  return {
    ...message(head, usage),
    content: blocks(choice).map(wireBlock),
    stop_reason: choice?.finishReason ?? null,
  };
}

export function anthropicStream(head: AnswerHead, choices: LlmChoice[], usage: JsonValue): string[] {
  const choice = choices[0];
  const event = (type: string, fields: JsonObject) => sseEvent({ type, ...fields }, type);
  const usageObj = typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? usage : {};
  const outputTokens = typeof usageObj.output_tokens === 'number' ? usageObj.output_tokens : 0;
  const events = [event('message_start', { message: message(head, { ...usageObj, output_tokens: 1 }) })];
  for (const [index, block] of blocks(choice).entries()) {
    const start: JsonObject =
      block.type === 'text' ? { type: 'text', text: '' } : { ...wireBlock(block), input: {} };
    events.push(event('content_block_start', { index, content_block: start }));
    if (index === 0) events.push(event('ping', {}));
    if (block.type === 'text') {
      for (const text of textPieces(block.text)) {
        events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }));
      }
    } else {
      for (let at = 0; at < block.json.length; at += ARGUMENT_PIECE) {
        const partial = block.json.slice(at, at + ARGUMENT_PIECE);
        events.push(
          event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: partial } }),
        );
      }
    }
    events.push(event('content_block_stop', { index }));
  }
  events.push(
    event('message_delta', {
      delta: { stop_reason: choice?.finishReason ?? null, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    }),
  );
  events.push(event('message_stop', {}));
  return events;
}
