// How a model request reads to policy: the text a pattern is matched against, the model and the
// tools. The body is whatever the caller sent, so every field is read defensively: anything missing
// or of the wrong shape is simply absent, and nothing here throws.

import type { ActionFacts } from '../../core/actions.js';
import type { EventType, JsonObject, JsonValue } from '../../core/events.js';
import { asJsonArray, isJsonObject } from '../../core/json-read.js';
import { modelReadings } from '../../policy/text-readings.js';
import { encodedText } from './encoded-text.js';
import { foldedFields, foldedName } from './folded-fields.js';

/**
 * Keys whose values are names, settings or encoded bytes rather than text the model reads. Ids are
 * read: a tool call's `id` and the `tool_call_id`, `call_id` or `tool_use_id` that answers it are
 * printed into the prompt by some chat templates (Mistral's writes both; servers that take the
 * Responses or Anthropic API turn `call_id` and `tool_use_id` into `tool_call_id`), so a phrase
 * placed there reached the model past every pattern (until 5 December).
 * Everything else in the request's content is read: a pattern must see all a model is given, and
 * text a client places where Vigil does not look (a document block's `data`, a tool call's input,
 * a shape nested deeper than real requests are) would otherwise reach the model unjudged.
 */
const NOT_TEXT = new Set([
  'type',
  'role',
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

/**
 * The roles a message or item names. A `role` with any other value is read as text: the chat
 * template of a self-hosted OpenAI-compatible server (vLLM and llama.cpp take any string as a role)
 * writes it into the prompt the model reads (`<|im_start|>{role}`), so a phrase placed there
 * reached the model past every pattern (until 5 December).
 */
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function', 'ipython', 'model']);

/** Whether a key's value is no text the model reads: a role only when it names one (ROLES). */
function notText(key: string, value: JsonValue): boolean {
  return key === 'role' ? typeof value === 'string' && ROLES.has(value) : NOT_TEXT.has(key);
}

/**
 * Keys whose object (or array) value is JSON the client writes as it likes: a tool call's input or
 * arguments, a tool's parameter schema, an output format's schema. The model reads such a value as
 * JSON, every key of it too, so inside it a key is text (`{"exfiltrate the keys": 1}`, a schema
 * property named anything) and so is a value under a key NOT_TEXT leaves out elsewhere
 * (`input: {type: "…"}`, a property named `id` with a `description`).
 */
const FREE_FORM = new Set(['input', 'arguments', 'parameters', 'input_schema', 'schema']);

/**
 * Top-level fields that set how the model answers or name the request, and that hold no text the
 * model reads. Every other top-level field is read, known or not: OpenAI's completions `suffix`,
 * chat `prediction` and legacy `functions`, or a field a provider adds next year, would otherwise
 * carry text to the model around every pattern. A field missing here costs at worst a setting's
 * word read as text; a text field wrongly here would be a way around policy.
 */
const SETTINGS = new Set([
  'model',
  'stream',
  'stream_options',
  'n',
  'best_of',
  'echo',
  'temperature',
  'top_p',
  'top_k',
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'seed',
  'service_tier',
  'store',
  'parallel_tool_calls',
  'tool_choice',
  'modalities',
  'reasoning_effort',
  'reasoning',
  'thinking',
  'verbosity',
  'encoding_format',
  'dimensions',
  'include',
  'truncation',
  'background',
  'previous_response_id',
]);

/** Where the text a model reads usually is, read first and in this order (system before conversation). */
const TEXT_FIELDS = [
  'system',
  'instructions',
  'prompt',
  'input',
  'messages',
  'tools',
  'functions',
  'response_format',
  'text',
] as const;

/**
 * The APIs that run a model. OpenAI's Responses API takes a request without `model` when a stored
 * prompt names one, and OpenAI-compatible servers run their default model.
 */
const RUNS_A_MODEL: ReadonlySet<string> = new Set([
  'openai.chat',
  'openai.completions',
  'openai.responses',
  'openai.embeddings',
  'anthropic.messages',
]);

/** Items and blocks of a conversation that show the model calling a tool by name. */
const TOOL_CALLS = new Set([
  'tool_use',
  'server_tool_use',
  'mcp_tool_use',
  'function_call',
  'custom_tool_call',
  'mcp_call',
]);

/** The facts of an llm.request; null for any other event, which this module does not emit. */
export function describeLlmAction(type: EventType, payload: JsonObject): ActionFacts | null {
  return type === 'llm.request' ? describeModelRequest(payload) : null;
}

/**
 * A model request of any supported API: OpenAI chat (messages), Responses (instructions, input),
 * completions (prompt), embeddings (input) and Anthropic messages (system, messages). The text is
 * everything the model is asked to read, tool results included, one piece per line, then the
 * strings of every other field that is not a setting.
 */
export function describeModelRequest(payload: JsonObject): ActionFacts {
  const body: JsonObject = isJsonObject(payload.body) ? payload.body : {};
  const read: Reading = { texts: [], runs: [], freeForm: [], tools: new Set() };
  const { tools } = read;

  // The tools offered and the output format asked for are read by the model as well: a
  // description is as much an instruction as a message.
  for (const field of TEXT_FIELDS) collectText(body[field], read);
  for (const [field, value] of Object.entries(body)) {
    if (!SETTINGS.has(field) && !(TEXT_FIELDS as readonly string[]).includes(field)) {
      collectText(value, read);
    }
  }
  // Fields are looked up under any spelling a case-insensitive server reads as them (`TOOLS`,
  // `Name`: folded-fields.ts); the text is read as written.
  const fields = foldedFields(body);
  // OpenAI chat's legacy `functions` offers tools as `tools` does, and the upstream still runs it.
  for (const offered of [...asJsonArray(fields.tools), ...asJsonArray(fields.functions)]) {
    if (!isJsonObject(offered)) continue;
    const tool = foldedFields(offered);
    // OpenAI chat nests the name under `function` (or `custom`, for a free-form tool); Anthropic and
    // the Responses API put it on the tool.
    const named = [tool.function, tool.custom, tool]
      .map((t) => (isJsonObject(t) ? foldedFields(t) : null))
      .find((t) => t !== null && typeof t.name === 'string');
    if (named) tools.add(named.name as string);
    // A tool the provider runs itself (Responses `mcp`, `code_interpreter`, `web_search`, `local_shell`
    // …) has no name: it is known by its type, so a rule can deny it.
    else if (typeof tool.type === 'string' && tool.type !== 'function') tools.add(tool.type);
  }
  // Anthropic's MCP connector: the provider calls these servers' tools on the caller's behalf.
  if (asJsonArray(fields.mcp_servers).length > 0) tools.add('mcp');
  // Chat's search models search the web when asked with web_search_options: the Responses tool's name.
  if (isJsonObject(fields.web_search_options)) tools.add('web_search');

  const model =
    typeof payload.model === 'string' ? payload.model : typeof body.model === 'string' ? body.model : null;
  // A request that runs a model without naming one runs the one the upstream picks.
  const modelLeftToUpstream =
    model === null && typeof payload.api === 'string' && RUNS_A_MODEL.has(payload.api);
  return new ModelRequestFacts(
    read,
    model,
    modelLeftToUpstream,
    hasTokenIds(fields.prompt) || hasTokenIds(fields.input),
  );
}

/**
 * A completion's prompt or an embedding's input given as token ids (`[1, 2]` or `[[1, 2], …]`):
 * text the model reads that Vigil, without the model's tokenizer, cannot.
 */
function hasTokenIds(value: JsonValue | undefined): boolean {
  if (!Array.isArray(value)) return false;
  return value.some(
    (v) => typeof v === 'number' || (Array.isArray(v) && v.some((t) => typeof t === 'number')),
  );
}

/**
 * A model request's facts. The other readings are made when a deny, review or alert pattern first
 * asks for them, so a policy without one pays nothing (a class, because an object literal with a
 * getter is built on V8's slow path: it tripled the cost of reading a request).
 */
class ModelRequestFacts implements ActionFacts {
  readonly text: string;
  readonly statementKinds: readonly string[] = [];
  readonly tables: readonly string[] = [];
  readonly tools: readonly string[];
  readonly alternateTools: readonly string[] = [];
  readonly targetIgnoresCase = false;
  readonly #read: Reading;
  #alternates: readonly string[] | undefined;

  constructor(
    read: Reading,
    readonly model: string | null,
    readonly modelLeftToUpstream: boolean,
    readonly unreadableText: boolean,
  ) {
    this.#read = read;
    this.text = read.texts.join('\n');
    this.tools = [...read.tools];
  }

  get alternateTexts(): readonly string[] {
    this.#alternates ??= readingsOf(this.#read, this.text);
    return this.#alternates;
  }
}

/** What a request gives the model to read, as collected: its pieces, the runs of parts, the tools. */
interface Reading {
  /** Every string, one piece each, in document order. */
  readonly texts: string[];
  /** The text parts of one message run together, for each message sent in two or more parts. */
  readonly runs: string[];
  /** Every key, string and number of the FREE_FORM values, names of types and ids included, in document order. */
  readonly freeForm: string[];
  readonly tools: Set<string>;
}

/**
 * How else a model reads the same pieces: the parts of one message run together, as the model
 * reads them (`exfil` + `trate`, split to slip between a pattern's words), the keys and all strings
 * of free-form JSON (a tool call's input, a schema), and each of these and the pieces with hidden
 * characters revealed, look-alike letters read as Latin ones and digits for letters read as letters
 * (text-readings.ts). A deny, review or alert pattern matches any of them.
 */
function readingsOf({ texts, runs, freeForm }: Reading, text: string): string[] {
  const readings = [runs, freeForm].filter((r) => r.length > 0).map((r) => r.join('\n'));
  for (const pieces of [texts, runs, freeForm]) {
    if (pieces.length > 0) readings.push(...modelReadings(pieces));
  }
  return readings.filter((r) => r !== text);
}

/** The text of a message part (`{type: 'text' | 'input_text' | …, text}`), or null for anything else. */
function partText(value: JsonValue | undefined): string | null {
  if (!isJsonObject(value)) return null;
  const part = foldedFields(value);
  return typeof part.text === 'string' && typeof part.type === 'string' ? part.text : null;
}

/** Where a value is: read as usual, inside a FREE_FORM value, or there under a NOT_TEXT key (free-form reading only). */
const READ = 0;
const FREE = 1;
const FREE_ONLY = 2;

/**
 * Collects every string a content value holds, in document order: strings, arrays of them (completions,
 * embeddings), blocks and items (`{type:'text', text}`, Anthropic `tool_use` / `tool_result` /
 * `document`, Responses `message` / `function_call` / `function_call_output` items, chat
 * `tool_calls`), at any depth, without recursion (a hostile depth cannot exhaust the stack), leaving
 * out NOT_TEXT keys and encoded bytes (base64 sources, images as data: URLs). Tool names met on the way
 * are noted, and so is the run of each message sent in several text parts. Inside a FREE_FORM
 * value every key, string and number is also collected for the free-form reading.
 */
function collectText(root: JsonValue | undefined, { texts, runs, freeForm, tools }: Reading): void {
  const stack: JsonValue[] = root === undefined ? [] : [root];
  const where: number[] = [READ];
  while (stack.length > 0) {
    const value = stack.pop()!;
    const at = where.pop()!;
    if (typeof value === 'string') {
      if (value === '') continue;
      if (at !== FREE_ONLY) texts.push(value);
      if (at !== READ) freeForm.push(value);
      continue;
    }
    // The model reads a free-form value as JSON, its numbers too: an account or card number given as
    // a number in a tool's input or a schema's `default` or `enum` (until 7 December unread).
    if (typeof value === 'number') {
      if (at !== READ) freeForm.push(String(value));
      continue;
    }
    if (Array.isArray(value)) {
      if (at !== FREE_ONLY) {
        const parts = value.map(partText).filter((t) => t !== null);
        if (parts.length > 1) runs.push(parts.join(''));
      }
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push(value[i]!);
        where.push(at);
      }
      continue;
    }
    if (!isJsonObject(value)) continue;
    const fields = foldedFields(value);
    if (at !== FREE_ONLY) noteTools(fields, tools);
    // Encoded bytes: an image or PDF source, redacted thinking; an image given as a data: URL. What
    // is left unread is decided by the keys as written; what is decoded and read, under any spelling
    // a case-insensitive server decodes (`"Type": "base64"`, `File_Data`), so no spelling hides text.
    const bytes = value.type === 'base64' || value.type === 'redacted_thinking';
    const base64Source = fields.type === 'base64';
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i]!;
      const skipped =
        notText(key, v) ||
        (bytes && key === 'data') ||
        ((key === 'url' || key === 'image_url') && typeof v === 'string' && v.startsWith('data:'));
      if (at === READ) {
        const name = foldedName(key);
        // Encoded bytes that are text (a text file as `file_data`, a data: URL) are read as text;
        // redacted thinking is ciphertext only the provider reads.
        const decoded = encodedBytes(name, v, base64Source) ? encodedText(v as string) : null;
        if (decoded !== null) {
          stack.push(decoded);
          where.push(READ);
        }
        if (skipped) continue;
        stack.push(v);
        where.push(FREE_FORM.has(name) && typeof v === 'object' && v !== null ? FREE : READ);
        continue;
      }
      stack.push(v);
      where.push(at === FREE_ONLY || skipped ? FREE_ONLY : FREE);
      // The key, read before its value (the stack pops it first).
      stack.push(key);
      where.push(FREE_ONLY);
    }
  }
}

/** Whether a key's string value is bytes in base64 or a data: URL: a file's data, a base64 source's, a URL. */
function encodedBytes(key: string, value: JsonValue, inBase64Source: boolean): boolean {
  if (typeof value !== 'string') return false;
  if (key === 'file_data' || (inBase64Source && key === 'data')) return true;
  return (key === 'url' || key === 'image_url') && value.startsWith('data:');
}

/** Notes the tool a block or item (its fields folded) shows the model calling. */
function noteTools(value: JsonObject, tools: Set<string>): void {
  if (typeof value.type === 'string' && TOOL_CALLS.has(value.type) && typeof value.name === 'string') {
    tools.add(value.name);
  }
  // A chat tool call names its tool under `function` or `custom`; the legacy form under `function_call`.
  for (const call of [value.function, value.custom, value.function_call]) {
    if (!isJsonObject(call)) continue;
    const name = foldedFields(call).name;
    if (typeof name === 'string') tools.add(name);
  }
}
