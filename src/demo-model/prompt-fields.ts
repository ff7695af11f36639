// Reading the common fields of a request body into a DemoPrompt, leniently: the stand-in model
// validates what providers reject outright (missing model/messages, bad n) and renders the rest.

import type { DemoApi, DemoMessage, DemoPrompt, DemoTool } from './types.js';
import { badRequest } from './wire-errors.js';

export type Body = Readonly<Record<string, unknown>>;

/** The fields every choice of one request shares. */
export type PromptBase = Omit<DemoPrompt, 'choiceIndex' | 'promptIndex'>;

export function requireModel(body: Body): string {
  const model = body.model;
  if (typeof model !== 'string' || model === '') {
    throw badRequest('you must provide a model parameter', 'model');
  }
  return model;
}

export function readN(body: Body, max = 128): number {
  const n = body.n ?? 1;
  if (n === null) return 1;
  if (typeof n !== 'number' || !Number.isInteger(n))
    throw badRequest(`${String(n)} is not of type 'integer' - 'n'`, 'n');
  if (n < 1) throw badRequest(`${n} is less than the minimum of 1 - 'n'`, 'n');
  if (n > max) throw badRequest(`${n} is greater than the maximum of ${max} - 'n'`, 'n');
  return n;
}

export function optionalNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function readStop(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
  return [];
}

/** Text of a content field: a string, or an array of parts of any provider's kinds. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content == null ? '' : JSON.stringify(content);
  return content
    .map(partText)
    .filter((t) => t !== '')
    .join('\n');
}

function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part !== 'object' || part === null) return '';
  const p = part as Record<string, unknown>;
  if (typeof p.text === 'string') return p.text;
  switch (p.type) {
    case 'tool_use':
      return `[tool call ${String(p.name)} ${JSON.stringify(p.input ?? {})}]`;
    case 'tool_result':
      return contentText(p.content);
    case 'image_url':
    case 'image':
    case 'input_image':
      return '[image]';
    default:
      return '';
  }
}

export function flattenMessages(messages: readonly DemoMessage[]): string {
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
}

export function lastUser(messages: readonly DemoMessage[]): string {
  return messages.findLast((m) => m.role === 'user')?.content ?? '';
}

/** OpenAI chat tools ({type:'function', function:{...}}) and Responses/Anthropic flat tools. */
export function readTools(value: unknown): DemoTool[] {
  if (!Array.isArray(value)) return [];
  const tools: DemoTool[] = [];
  for (const raw of value) {
    if (typeof raw !== 'object' || raw === null) continue;
    const t = raw as Record<string, unknown>;
    const fn = (typeof t.function === 'object' && t.function !== null ? t.function : t) as Record<
      string,
      unknown
    >;
    if (typeof fn.name !== 'string') continue;
    const schema = fn.parameters ?? fn.input_schema ?? {};
    tools.push({
      name: fn.name,
      description: typeof fn.description === 'string' ? fn.description : '',
      parameters: (typeof schema === 'object' && schema !== null ? schema : {}) as Record<string, unknown>,
    });
  }
  return tools;
}

/** 'auto' | 'none' | 'required' | a forced tool name, from any provider's tool_choice. */
export function readToolChoice(value: unknown): string {
  if (typeof value === 'string') return value === 'any' ? 'required' : value;
  if (typeof value !== 'object' || value === null) return 'auto';
  const c = value as Record<string, unknown>;
  const fn = c.function as Record<string, unknown> | undefined;
  if (typeof fn?.name === 'string') return fn.name;
  if (typeof c.name === 'string') return c.name;
  if (c.type === 'any') return 'required';
  return typeof c.type === 'string' && c.type !== 'tool' && c.type !== 'function' ? c.type : 'auto';
}

export function lowerCaseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** One prompt per choice: `n` copies of the base with choiceIndex 0..n-1. */
export function perChoice(base: PromptBase, promptIndex = 0, firstIndex = 0): DemoPrompt[] {
  return Array.from({ length: base.n }, (_, i) => ({ ...base, choiceIndex: firstIndex + i, promptIndex }));
}

export function baseFields(
  api: DemoApi,
  model: string,
  messages: DemoMessage[],
  body: Body,
  headers: Record<string, string>,
): Pick<
  PromptBase,
  'api' | 'model' | 'messages' | 'system' | 'promptText' | 'lastUserText' | 'body' | 'headers'
> {
  return {
    api,
    model,
    messages,
    system: messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => m.content)
      .join('\n'),
    promptText: flattenMessages(messages),
    lastUserText: lastUser(messages),
    body,
    headers,
  };
}
