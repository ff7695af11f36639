// Reads the choices out of a complete (non-streamed) response body, per API.
import type { JsonValue } from '../../core/events.js';
import type { LlmApi, LlmChoice, LlmToolCall } from '../../core/llm-payloads.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Chat content may be a string or an array of parts (text parts are kept). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((part) => (isObj(part) ? str(part.text) : ''))
    .join('');
}

function openAiToolCalls(calls: unknown): LlmToolCall[] {
  return arr(calls)
    .filter(isObj)
    .map((call) => {
      const fn = isObj(call.function) ? call.function : {};
      return { id: str(call.id), name: str(fn.name), arguments: str(fn.arguments) };
    });
}

export function choicesFromBody(api: LlmApi, body: unknown): LlmChoice[] {
  if (!isObj(body)) return [];
  switch (api) {
    case 'openai.chat':
      return arr(body.choices)
        .filter(isObj)
        .map((c, i) => {
          const message = isObj(c.message) ? c.message : {};
          return {
            index: typeof c.index === 'number' ? c.index : i,
            text: contentText(message.content),
            reasoning: str(message.reasoning_content) || str(message.reasoning),
            finishReason: typeof c.finish_reason === 'string' ? c.finish_reason : null,
            toolCalls: openAiToolCalls(message.tool_calls),
          };
        });
    case 'openai.completions':
      return arr(body.choices)
        .filter(isObj)
        .map((c, i) => ({
          index: typeof c.index === 'number' ? c.index : i,
          text: str(c.text),
          reasoning: '',
          finishReason: typeof c.finish_reason === 'string' ? c.finish_reason : null,
          toolCalls: [],
        }));
    case 'openai.responses': {
      let text = '';
      let reasoning = '';
      const toolCalls: LlmToolCall[] = [];
      const texts = (parts: unknown) =>
        arr(parts)
          .filter(isObj)
          .map((p) => str(p.text))
          .join('');
      for (const item of arr(body.output).filter(isObj)) {
        if (item.type === 'message') text += texts(item.content);
        // A reasoning item shows its summary, and with some models its text.
        if (item.type === 'reasoning') reasoning += texts(item.summary) + texts(item.content);
        if (item.type === 'function_call') {
          toolCalls.push({
            id: str(item.call_id) || str(item.id),
            name: str(item.name),
            arguments: str(item.arguments),
          });
        }
      }
      return [
        {
          index: 0,
          text,
          reasoning,
          finishReason: typeof body.status === 'string' ? body.status : null,
          toolCalls,
        },
      ];
    }
    case 'anthropic.messages': {
      let text = '';
      let reasoning = '';
      const toolCalls: LlmToolCall[] = [];
      for (const block of arr(body.content).filter(isObj)) {
        if (block.type === 'text') text += str(block.text);
        if (block.type === 'thinking') reasoning += str(block.thinking);
        if (block.type === 'tool_use') {
          toolCalls.push({
            id: str(block.id),
            name: str(block.name),
            arguments: JSON.stringify(block.input ?? {}),
          });
        }
      }
      return [
        {
          index: 0,
          text,
          reasoning,
          finishReason: typeof body.stop_reason === 'string' ? body.stop_reason : null,
          toolCalls,
        },
      ];
    }
    default:
      return [];
  }
}

/** The provider's id of a complete response (`chatcmpl-…`, `msg_…`, `resp_…`); an error body has none. */
export function idFromBody(body: unknown): string | null {
  return isObj(body) && typeof body.id === 'string' && body.id !== '' ? body.id : null;
}

export function usageFromBody(body: unknown): JsonValue {
  return isObj(body) && isObj(body.usage) ? (body.usage as JsonValue) : null;
}

/** The error a provider put in its body, in either provider's shape. */
export function errorFromBody(body: unknown): { code: string; message: string } | null {
  if (!isObj(body) || !isObj(body.error)) return null;
  const e = body.error;
  return { code: str(e.code) || str(e.type) || 'upstream_error', message: str(e.message) };
}
