// How a model request reads to policy: the text a pattern is matched against, the model and the
// tools. The body is whatever the caller sent, so every field is read defensively: anything missing
// or of the wrong shape is simply absent, and nothing here throws.

import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject, JsonValue } from '../../core/events.js';
import { asJsonArray, isJsonObject } from '../../core/json-read.js';

/**
 * How deep text is looked for inside content blocks (a tool result holding blocks holding ...).
 * Real requests nest two levels; the cap keeps a hostile body from exhausting the stack.
 */
const MAX_CONTENT_DEPTH = 4;

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

  pushText(texts, body.system, tools, 0);
  pushText(texts, body.instructions, tools, 0);
  pushText(texts, body.prompt, tools, 0);
  pushText(texts, body.input, tools, 0);
  for (const message of asJsonArray(body.messages)) {
    if (!isJsonObject(message)) continue;
    pushText(texts, message.content, tools, 0);
    for (const call of asJsonArray(message.tool_calls)) {
      if (isJsonObject(call) && isJsonObject(call.function) && typeof call.function.name === 'string')
        tools.add(call.function.name);
    }
  }
  for (const tool of asJsonArray(body.tools)) {
    if (!isJsonObject(tool)) continue;
    // OpenAI chat nests the name under `function`; Anthropic and the Responses API put it on the tool.
    if (isJsonObject(tool.function) && typeof tool.function.name === 'string') tools.add(tool.function.name);
    else if (typeof tool.name === 'string') tools.add(tool.name);
  }

  const model =
    typeof payload.model === 'string' ? payload.model : typeof body.model === 'string' ? body.model : null;
  return { ...NO_FACTS, text: texts.join('\n'), model, tools: [...tools] };
}

/**
 * Collects the text of a content value: a string, an array of strings (completions, embeddings),
 * or blocks and items (`{type:'text', text}`, Anthropic `tool_use` / `tool_result`, Responses
 * `message` / `function_call` / `function_call_output` items). Tool names met on the way are noted.
 */
function pushText(texts: string[], value: JsonValue | undefined, tools: Set<string>, depth: number): void {
  if (typeof value === 'string') {
    if (value !== '') texts.push(value);
    return;
  }
  if (depth > MAX_CONTENT_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) pushText(texts, item, tools, depth + 1);
    return;
  }
  if (!isJsonObject(value)) return;
  if (typeof value.text === 'string') pushText(texts, value.text, tools, depth + 1);
  switch (value.type) {
    case 'tool_use':
    case 'function_call':
      if (typeof value.name === 'string') tools.add(value.name);
      return;
    case 'tool_result':
      pushText(texts, value.content, tools, depth + 1);
      return;
    case 'function_call_output':
      pushText(texts, value.output, tools, depth + 1);
      return;
  }
  // A Responses API message item carries its own content.
  if (value.content !== undefined) pushText(texts, value.content, tools, depth + 1);
}
