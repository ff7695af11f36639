// How a model request reads to policy: the text a pattern is matched against, the model and the
// tools. The body is whatever the caller sent, so every field is read defensively: anything missing
// or of the wrong shape is simply absent, and nothing here throws.

import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject, JsonValue } from '../../core/events.js';
import { asJsonArray, isJsonObject } from '../../core/json-read.js';

/**
 * Keys whose values are names, ids, settings or encoded bytes rather than text the model reads.
 * Everything else in the request's content is read: a pattern must see all a model is given, and
 * text a client places where Vigil does not look (a document block's `data`, a tool call's input,
 * a shape nested deeper than real requests are) would otherwise reach the model unjudged.
 */
const NOT_TEXT = new Set([
  'type',
  'id',
  'role',
  'tool_use_id',
  'tool_call_id',
  'call_id',
  'signature',
  'cache_control',
  'media_type',
  'mime_type',
  'detail',
  'status',
  'file_id',
  'file_data',
  'encrypted_content',
]);

/** The facts of an llm.request; null for any other event, which this module does not emit. */
export function describeLlmAction(type: EventType, payload: JsonObject): ActionFacts | null {
  return type === 'llm.request' ? describeModelRequest(payload) : null;
}

/**
 * A model request of any supported API: OpenAI chat (messages), Responses (instructions, input),
 * completions (prompt), embeddings (input) and Anthropic messages (system, messages). The text is
 * everything the model is asked to read, tool results included, one piece per line.
 */
export function describeModelRequest(payload: JsonObject): ActionFacts {
  const body: JsonObject = isJsonObject(payload.body) ? payload.body : {};
  const texts: string[] = [];
  const tools = new Set<string>();

  // The tools offered and the output format asked for are read by the model as well: a
  // description is as much an instruction as a message.
  for (const part of [
    body.system,
    body.instructions,
    body.prompt,
    body.input,
    body.messages,
    body.tools,
    body.response_format,
    body.text,
  ]) {
    collectText(part, texts, tools);
  }
  for (const tool of asJsonArray(body.tools)) {
    if (!isJsonObject(tool)) continue;
    // OpenAI chat nests the name under `function`; Anthropic and the Responses API put it on the tool.
    if (isJsonObject(tool.function) && typeof tool.function.name === 'string') tools.add(tool.function.name);
    else if (typeof tool.name === 'string') tools.add(tool.name);
    // A tool the provider runs itself (Responses `mcp`, `code_interpreter`, `web_search`, `local_shell`
    // …) has no name: it is known by its type, so a rule can deny it.
    else if (typeof tool.type === 'string' && tool.type !== 'function') tools.add(tool.type);
  }
  // Anthropic's MCP connector: the provider calls these servers' tools on the caller's behalf.
  if (asJsonArray(body.mcp_servers).length > 0) tools.add('mcp');

  const model =
    typeof payload.model === 'string' ? payload.model : typeof body.model === 'string' ? body.model : null;
  return { ...NO_FACTS, text: texts.join('\n'), model, tools: [...tools] };
}

/**
 * Collects every string a content value holds, in document order: strings, arrays of them (completions,
 * embeddings), blocks and items (`{type:'text', text}`, Anthropic `tool_use` / `tool_result` /
 * `document`, Responses `message` / `function_call` / `function_call_output` items, chat
 * `tool_calls`), at any depth, without recursion (a hostile depth cannot exhaust the stack), leaving
 * out NOT_TEXT keys and encoded bytes (base64 sources, images as data: URLs). Tool names met on the way
 * are noted.
 */
function collectText(root: JsonValue | undefined, texts: string[], tools: Set<string>): void {
  const stack: JsonValue[] = root === undefined ? [] : [root];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (typeof value === 'string') {
      if (value !== '') texts.push(value);
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]!);
      continue;
    }
    if (!isJsonObject(value)) continue;
    if ((value.type === 'tool_use' || value.type === 'function_call') && typeof value.name === 'string') {
      tools.add(value.name);
    }
    if (isJsonObject(value.function) && typeof value.function.name === 'string')
      tools.add(value.function.name);
    // Encoded bytes: an image or PDF source, redacted thinking; an image given as a data: URL.
    const bytes = value.type === 'base64' || value.type === 'redacted_thinking';
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i]!;
      if (NOT_TEXT.has(key) || (bytes && key === 'data')) continue;
      if ((key === 'url' || key === 'image_url') && typeof v === 'string' && v.startsWith('data:')) continue;
      stack.push(v);
    }
  }
}
