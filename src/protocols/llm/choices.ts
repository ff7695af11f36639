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

/**
 * What a chat tool call (or a streamed piece of one) names and passes: a function under `function`
 * with JSON `arguments`, a free-form tool under `custom` with text `input`.
 */
export function chatToolCallParts(call: Obj): { name: string; arguments: string } {
  const tool = isObj(call.function) ? call.function : isObj(call.custom) ? call.custom : {};
  return { name: str(tool.name), arguments: str(tool.arguments) || str(tool.input) };
}

/** A chat message's tool calls, the legacy `function_call` (from `functions`) included. */
function openAiToolCalls(message: Obj): LlmToolCall[] {
  const calls = arr(message.tool_calls)
    .filter(isObj)
    .map((call) => ({ id: str(call.id), ...chatToolCallParts(call) }));
  if (isObj(message.function_call)) {
    calls.push({
      id: '',
      name: str(message.function_call.name),
      arguments: str(message.function_call.arguments),
    });
  }
  return calls;
}

/**
 * A Responses output item that calls a tool: a function or free-form tool the client runs, a shell
 * command or computer action it is asked to carry out, or a tool the provider runs (MCP, code,
 * search). Named by the tool, else by its kind (`local_shell` for `local_shell_call`); its input
 * is what the item passes (arguments, input, code) or the action it asks for, as JSON. An image
 * generation's result (the image) is output, not input, and is not read.
 */
function responsesToolCall(item: Obj): LlmToolCall | null {
  const type = str(item.type);
  const kind = type.endsWith('_call')
    ? type.slice(0, -'_call'.length)
    : type === 'mcp_approval_request'
      ? 'mcp'
      : null;
  if (kind === null) return null;
  const input =
    [item.arguments, item.input, item.code].find((v): v is string => typeof v === 'string') ??
    JSON.stringify(item.action ?? item.queries ?? {});
  return { id: str(item.call_id) || str(item.id), name: str(item.name) || kind, arguments: input };
}

/** Anthropic blocks that call a tool: the client's (`tool_use`), the provider's own and an MCP server's. */
export const ANTHROPIC_TOOL_BLOCKS: ReadonlySet<string> = new Set([
  'tool_use',
  'server_tool_use',
  'mcp_tool_use',
]);

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
            // A refusal, or an audio answer's transcript, is the answer the client gets in place of content.
            text:
              contentText(message.content) +
              str(message.refusal) +
              (isObj(message.audio) ? str(message.audio.transcript) : ''),
            reasoning: str(message.reasoning_content) || str(message.reasoning),
            finishReason: typeof c.finish_reason === 'string' ? c.finish_reason : null,
            toolCalls: openAiToolCalls(message),
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
      // An audio part's words come as its transcript.
      const texts = (parts: unknown) =>
        arr(parts)
          .filter(isObj)
          .map((p) => str(p.text) || str(p.transcript))
          .join('');
      for (const item of arr(body.output).filter(isObj)) {
        if (item.type === 'message') text += texts(item.content);
        // A reasoning item shows its summary, and with some models its text.
        if (item.type === 'reasoning') reasoning += texts(item.summary) + texts(item.content);
        const call = responsesToolCall(item);
        if (call) toolCalls.push(call);
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
        if (ANTHROPIC_TOOL_BLOCKS.has(str(block.type))) {
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
