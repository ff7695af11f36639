// Request bodies of Anthropic's messages API, read into a DemoPrompt (one choice: no `n`).
import {
  type Body,
  baseFields,
  contentText,
  optionalNumber,
  readStop,
  readToolChoice,
  readTools,
} from './prompt-fields.js';
import { checkReturnedThinking } from './thinking.js';
import type { DemoMessage, DemoPrompt } from './types.js';
import { badRequest } from './wire-errors.js';

/** Validates like the API: model, messages and (except for count_tokens) max_tokens are required. */
export function anthropicPrompt(
  body: Body,
  headers: Record<string, string>,
  needMaxTokens = true,
): DemoPrompt {
  if (typeof body.model !== 'string' || body.model === '') throw badRequest('model: Field required');
  if (!Array.isArray(body.messages)) throw badRequest('messages: Field required');
  if (needMaxTokens && typeof body.max_tokens !== 'number') throw badRequest('max_tokens: Field required');
  const messages: DemoMessage[] = [];
  const system = contentText(body.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const [i, raw] of body.messages.entries()) messages.push(anthropicMessage(raw, i));
  return {
    ...baseFields('anthropic.messages', body.model, messages, body, headers),
    n: 1,
    choiceIndex: 0,
    promptIndex: 0,
    tools: readTools(body.tools),
    toolChoice: readToolChoice(body.tool_choice),
    maxTokens: optionalNumber(body.max_tokens),
    temperature: optionalNumber(body.temperature),
    stream: body.stream === true,
    stop: readStop(body.stop_sequences),
  };
}

function anthropicMessage(raw: unknown, i: number): DemoMessage {
  const m = (raw ?? {}) as Body;
  if (m.role !== 'user' && m.role !== 'assistant') {
    throw badRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
  }
  // A user turn made only of tool results is the tool speaking, as OpenAI's role 'tool' is.
  const parts = Array.isArray(m.content) ? m.content : [];
  if (m.role === 'assistant') checkReturnedThinking(parts, i);
  const onlyToolResults =
    parts.length > 0 &&
    parts.every((p) => typeof p === 'object' && p !== null && (p as Body).type === 'tool_result');
  return { role: onlyToolResults ? 'tool' : m.role, content: contentText(m.content) };
}
