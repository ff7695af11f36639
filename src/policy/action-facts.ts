// What a policy rule can see of an action, read from its event payload: the text a pattern is
// matched against, the SQL statement kinds and tables, the model and the tools. Payloads come from
// clients (a model request body is whatever the caller sent), so every field is read defensively:
// anything missing or of the wrong shape is simply absent, and nothing here throws.
import type { EventDraft, JsonObject, JsonValue } from '../core/events.js';

export interface ActionFacts {
  /** The prompt, statement, command or call a `pattern` is matched against ('' when none). */
  readonly text: string;
  /** Statement kinds of a db.query, upper case, one per distinct kind. */
  readonly statementKinds: readonly string[];
  /** Tables a db.query touches, as the parser named them (`name` or `schema.name`). */
  readonly tables: readonly string[];
  readonly model: string | null;
  /** Tools offered to or called by a model, or the MCP tool called. */
  readonly tools: readonly string[];
}

const NO_FACTS: ActionFacts = Object.freeze({
  text: '',
  statementKinds: [],
  tables: [],
  model: null,
  tools: [],
});

/**
 * How deep text is looked for inside content blocks (a tool result holding blocks holding ...).
 * Real requests nest two levels; the cap keeps a hostile body from exhausting the stack.
 */
const MAX_CONTENT_DEPTH = 4;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

function stringOr(value: JsonValue | undefined, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

export function describeAction(draft: EventDraft): ActionFacts {
  const payload: JsonObject = isObject(draft.payload) ? draft.payload : {};
  switch (draft.type) {
    case 'db.query':
      return describeQuery(payload);
    case 'llm.request':
      return describeModelRequest(payload);
    case 'ssh.exec':
      return { ...NO_FACTS, text: stringOr(payload.command, '') };
    case 'mcp.call':
      return describeToolCall(payload);
    case 'http.request':
      return describeHttpRequest(payload);
    default:
      return NO_FACTS;
  }
}

function describeQuery(payload: JsonObject): ActionFacts {
  const classification = payload.classification;
  const statements = isObject(classification) ? asArray(classification.statements) : [];
  const kinds = new Set<string>();
  const tables = new Set<string>();
  for (const statement of statements) {
    if (!isObject(statement)) continue;
    if (typeof statement.kind === 'string') kinds.add(statement.kind.toUpperCase());
    for (const table of asArray(statement.tables)) if (typeof table === 'string') tables.add(table);
  }
  return {
    ...NO_FACTS,
    text: stringOr(payload.statement, ''),
    statementKinds: [...kinds],
    tables: [...tables],
  };
}

function describeToolCall(payload: JsonObject): ActionFacts {
  const tool = typeof payload.tool === 'string' ? payload.tool : null;
  const args = payload.arguments;
  const argsText = args === undefined ? '' : typeof args === 'string' ? args : JSON.stringify(args);
  return {
    ...NO_FACTS,
    text: [tool ?? '', argsText].filter((t) => t !== '').join('\n'),
    tools: tool === null ? [] : [tool],
  };
}

function describeHttpRequest(payload: JsonObject): ActionFacts {
  const line = [stringOr(payload.method, ''), stringOr(payload.path, '')].filter((t) => t !== '').join(' ');
  const body = payload.body;
  const bodyText =
    body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return { ...NO_FACTS, text: [line, bodyText].filter((t) => t !== '').join('\n') };
}

/**
 * A model request of any supported API: OpenAI chat (messages), Responses (instructions, input),
 * completions (prompt), embeddings (input) and Anthropic messages (system, messages). The text is
 * everything the model is asked to read, tool results included, one piece per line.
 */
function describeModelRequest(payload: JsonObject): ActionFacts {
  const body: JsonObject = isObject(payload.body) ? payload.body : {};
  const texts: string[] = [];
  const tools = new Set<string>();

  pushText(texts, body.system, tools, 0);
  pushText(texts, body.instructions, tools, 0);
  pushText(texts, body.prompt, tools, 0);
  pushText(texts, body.input, tools, 0);
  for (const message of asArray(body.messages)) {
    if (!isObject(message)) continue;
    pushText(texts, message.content, tools, 0);
    for (const call of asArray(message.tool_calls)) {
      if (isObject(call) && isObject(call.function) && typeof call.function.name === 'string')
        tools.add(call.function.name);
    }
  }
  for (const tool of asArray(body.tools)) {
    if (!isObject(tool)) continue;
    // OpenAI chat nests the name under `function`; Anthropic and the Responses API put it on the tool.
    if (isObject(tool.function) && typeof tool.function.name === 'string') tools.add(tool.function.name);
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
  if (!isObject(value)) return;
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
