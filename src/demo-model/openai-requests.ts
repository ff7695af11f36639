// Request bodies of OpenAI's chat completions, completions and responses APIs, read into one
// DemoPrompt per choice.
import {
  type Body,
  baseFields,
  contentText,
  optionalNumber,
  perChoice,
  readN,
  readStop,
  readToolChoice,
  readTools,
  requireModel,
} from './prompt-fields.js';
import type { DemoMessage, DemoPrompt } from './types.js';
import { badRequest, DemoRequestError } from './wire-errors.js';

function missing(param: string): DemoRequestError {
  return new DemoRequestError({
    status: 400,
    message: `Missing required parameter: '${param}'.`,
    param,
    code: 'missing_required_parameter',
  });
}

export function chatPrompts(body: Body, headers: Record<string, string>): DemoPrompt[] {
  const model = requireModel(body);
  if (body.messages === undefined) throw missing('messages');
  if (!Array.isArray(body.messages))
    throw badRequest(`Invalid type for 'messages': expected an array.`, 'messages');
  if (body.messages.length === 0) throw badRequest(`[] is too short - 'messages'`, 'messages');
  const messages = body.messages.map(chatMessage);
  return perChoice({
    ...baseFields('openai.chat', model, messages, body, headers),
    n: readN(body),
    tools: readTools(body.tools),
    toolChoice: readToolChoice(body.tool_choice),
    maxTokens: optionalNumber(body.max_completion_tokens) ?? optionalNumber(body.max_tokens),
    temperature: optionalNumber(body.temperature),
    stream: body.stream === true,
    stop: readStop(body.stop),
  });
}

function chatMessage(raw: unknown, i: number): DemoMessage {
  if (typeof raw !== 'object' || raw === null || typeof (raw as Body).role !== 'string') {
    throw badRequest(`Invalid value for 'messages[${i}]': each message needs a 'role'.`, `messages[${i}]`);
  }
  const m = raw as Body;
  const calls = Array.isArray(m.tool_calls) ? m.tool_calls : [];
  const rendered = calls.map((c) => {
    const fn = ((c as Body).function ?? {}) as Body;
    return `[tool call ${String(fn.name)} ${String(fn.arguments ?? '')}]`;
  });
  const content = [contentText(m.content), ...rendered].filter((t) => t !== '').join('\n');
  return { role: m.role as string, content };
}

/** Completions: every prompt of an array gets n choices, numbered prompt-major as OpenAI does. */
export function completionPrompts(body: Body, headers: Record<string, string>): DemoPrompt[] {
  const model = requireModel(body);
  if (body.prompt === undefined) throw missing('prompt');
  const texts = promptTexts(body.prompt);
  const n = readN(body);
  return texts.flatMap((text, p) => {
    const messages: DemoMessage[] = [{ role: 'user', content: text }];
    return perChoice(
      {
        ...baseFields('openai.completions', model, messages, body, headers),
        promptText: text,
        n,
        tools: [],
        toolChoice: 'none',
        maxTokens: optionalNumber(body.max_tokens) ?? 16,
        temperature: optionalNumber(body.temperature),
        stream: body.stream === true,
        stop: readStop(body.stop),
      },
      p,
      p * n,
    );
  });
}

function promptTexts(prompt: unknown): string[] {
  if (typeof prompt === 'string') return [prompt];
  if (Array.isArray(prompt) && prompt.length > 0) {
    // An array of numbers is one tokenised prompt; an array of arrays, several.
    if (prompt.every((p) => typeof p === 'number')) return [prompt.join(' ')];
    return prompt.map((p) => (typeof p === 'string' ? p : Array.isArray(p) ? p.join(' ') : String(p)));
  }
  throw badRequest(`Invalid value for 'prompt': expected a string or an array.`, 'prompt');
}

export function responsesPrompts(body: Body, headers: Record<string, string>): DemoPrompt[] {
  const model = requireModel(body);
  if (body.input === undefined) throw missing('input');
  const messages: DemoMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') {
    messages.push({ role: 'system', content: body.instructions });
  }
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else if (Array.isArray(body.input)) messages.push(...body.input.map(responsesItem));
  else throw badRequest(`Invalid type for 'input': expected a string or an array.`, 'input');
  return perChoice({
    ...baseFields('openai.responses', model, messages, body, headers),
    n: 1,
    tools: readTools(body.tools),
    toolChoice: readToolChoice(body.tool_choice),
    maxTokens: optionalNumber(body.max_output_tokens),
    temperature: optionalNumber(body.temperature),
    stream: body.stream === true,
    stop: [],
  });
}

function responsesItem(raw: unknown): DemoMessage {
  if (typeof raw === 'string') return { role: 'user', content: raw };
  const item = (raw ?? {}) as Body;
  switch (item.type) {
    case 'function_call':
      return {
        role: 'assistant',
        content: `[tool call ${String(item.name)} ${String(item.arguments ?? '')}]`,
      };
    case 'function_call_output':
      return { role: 'tool', content: contentText(item.output) };
    default:
      return { role: typeof item.role === 'string' ? item.role : 'user', content: contentText(item.content) };
  }
}
