// POST /v1/messages: a message object, or the event stream message_start, then per content block
// content_block_start (a ping after the first), content_block_delta (thinking_delta and a
// signature_delta | text_delta | input_json_delta)…, content_block_stop, then message_delta
// (stop_reason, usage) and message_stop. With thinking enabled, a thinking block comes first.
// POST /v1/messages/count_tokens: { input_tokens }.
import { anthropicPrompt } from './anthropic-requests.js';
import {
  answerStream,
  applyInjectedFailure,
  type Exchange,
  prepareAnswer,
  sendAnswerBody,
} from './exchange.js';
import { sendJson } from './http-io.js';
import type { PlannedChoice } from './plan.js';
import { chunkChars, chunkText, countTokens, randomId } from './text.js';
import { thinkingSignature, thinkingText, wantsThinking } from './thinking.js';
import type { DemoFinishReason } from './types.js';

const STOP_REASONS: Record<DemoFinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

type Block =
  | { type: 'thinking'; thinking: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown; json: string };

export async function handleMessages(ex: Exchange): Promise<void> {
  const prompt = anthropicPrompt(ex.body, ex.headers);
  const answer = await prepareAnswer(ex, [prompt], 'toolu_');
  if (answer === null) return;
  const choice = answer.choices[0]!;
  const blocks = contentBlocks(choice);
  if (wantsThinking(ex.body)) {
    const lastUser = prompt.messages.findLast((m) => m.role === 'user')?.content ?? '';
    blocks.unshift({ type: 'thinking', thinking: thinkingText(lastUser) });
  }
  const inputTokens = countTokens(prompt.promptText);
  const message = {
    id: randomId('msg_01', 22),
    type: 'message',
    role: 'assistant',
    model: prompt.model,
    content: [] as unknown[],
    stop_reason: null as string | null,
    stop_sequence: null,
    usage: {
      input_tokens: inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: choice.outputTokens,
      service_tier: 'standard',
    },
  };
  const stopReason = STOP_REASONS[choice.finishReason];
  if (!prompt.stream) {
    const body = { ...message, content: blocks.map(wireBlock), stop_reason: stopReason };
    await sendAnswerBody(ex, answer, body);
    return;
  }
  const sse = answerStream(ex, answer);
  const emit = (type: string, fields: Record<string, unknown>, content = false) =>
    content ? sse.content({ type, ...fields }, type) : sse.event({ type, ...fields }, type);
  sse.open(ex.responseHeaders);
  await emit('message_start', { message: { ...message, usage: { ...message.usage, output_tokens: 1 } } });
  for (const [index, block] of blocks.entries()) {
    const start =
      block.type === 'thinking'
        ? { type: 'thinking', thinking: '', signature: '' }
        : block.type === 'text'
          ? { type: 'text', text: '' }
          : { ...wireBlock(block), input: {} };
    await emit('content_block_start', { index, content_block: start });
    if (index === 0) await emit('ping', {});
    if (block.type === 'thinking') {
      // Thinking arrives in pieces of text that cut words, as the API sends it.
      for (const thinking of chunkChars(block.thinking, 8 * Math.max(1, ex.tokensPerChunk))) {
        await emit('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } }, true);
      }
      const signature = thinkingSignature(block.thinking);
      await emit('content_block_delta', { index, delta: { type: 'signature_delta', signature } }, true);
    } else if (block.type === 'text') {
      for (const text of chunkText(block.text, ex.tokensPerChunk)) {
        await emit('content_block_delta', { index, delta: { type: 'text_delta', text } }, true);
      }
    } else {
      for (const partial of chunkChars(block.json, 8 * Math.max(1, ex.tokensPerChunk))) {
        await emit(
          'content_block_delta',
          { index, delta: { type: 'input_json_delta', partial_json: partial } },
          true,
        );
      }
    }
    await emit('content_block_stop', { index });
  }
  sse.closing();
  await emit('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: choice.outputTokens },
  });
  await emit('message_stop', {});
  sse.end();
}

export async function handleCountTokens(ex: Exchange): Promise<void> {
  const prompt = anthropicPrompt(ex.body, ex.headers, false);
  const body = { input_tokens: countTokens(prompt.promptText) };
  if (await applyInjectedFailure(ex, prompt.model, body)) sendJson(ex.res, 200, body, ex.responseHeaders);
}

function contentBlocks(choice: PlannedChoice): Block[] {
  const blocks: Block[] = [];
  if (choice.text !== '' || choice.toolCalls.length === 0) blocks.push({ type: 'text', text: choice.text });
  for (const call of choice.toolCalls) {
    blocks.push({
      type: 'tool_use',
      id: call.id,
      name: call.name,
      input: parseOrEmpty(call.arguments),
      json: call.arguments,
    });
  }
  return blocks;
}

function wireBlock(block: Block): Record<string, unknown> {
  if (block.type === 'thinking') {
    return { type: 'thinking', thinking: block.thinking, signature: thinkingSignature(block.thinking) };
  }
  if (block.type === 'text') return { type: 'text', text: block.text };
  return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
}

function parseOrEmpty(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}
