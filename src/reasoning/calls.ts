// Pairs llm.request and llm.response events into model calls and reads from the recorded bodies
// what the tree builder compares: the prompt text, the chat messages, the replies and the hints.

import type { EventContent, JsonObject, JsonValue } from '../core/events.js';
import { isJsonObject } from '../core/json-read.js';
import { canonicalArguments, normalizeText } from './text.js';

export interface ChatMessage {
  readonly role: string;
  readonly text: string;
  /** `name(canonical arguments)` of each tool call an assistant message carries. */
  readonly toolCalls: readonly string[];
}

export interface CallChoice {
  readonly index: number;
  readonly text: string;
  /** The reasoning the model showed before its reply ('' when none, or recorded before it was kept). */
  readonly reasoning: string;
  readonly toolCalls: readonly { name: string; arguments: string }[];
}

export interface ModelCall {
  readonly requestId: string;
  readonly sessionId: string;
  readonly subject: string;
  readonly seq: number;
  readonly time: string;
  /** Seq of the response; Infinity while unanswered, so nothing can continue it. */
  readonly responseSeq: number;
  readonly api: string;
  readonly model: string | null;
  readonly prompt: string;
  /** Chat messages for chat-shaped APIs, null for plain prompts. */
  readonly messages: readonly ChatMessage[] | null;
  readonly choices: readonly CallChoice[];
  /** Parent names from x-vigil-parent and body metadata: node ids, request ids or response ids. */
  readonly hints: readonly string[];
  /** The upstream's own response id (`chatcmpl-...`), which clients can name as a parent. */
  readonly responseId: string | null;
  readonly traceId: string | null;
  readonly parentSpanId: string | null;
  /** A span id the client declared for this call in body metadata. */
  readonly ownSpanId: string | null;
  /** The client's TCP connection as the gateway named it; null when not recorded. */
  readonly clientConnection: string | null;
}

function str(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

/** Text of a message content: a string, or the text of its parts (OpenAI and Anthropic shapes). */
export function contentText(content: JsonValue | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') parts.push(part);
    else if (isJsonObject(part)) {
      const text = str(part.text) ?? (part.type === 'tool_result' ? contentText(part.content) : null);
      if (text !== null) parts.push(text);
    }
  }
  return parts.join('\n');
}

function toolCallKey(name: string, args: string): string {
  return `${name}(${canonicalArguments(args)})`;
}

function messageToolCalls(message: JsonObject): string[] {
  const out: string[] = [];
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isJsonObject(call)) continue;
      // A function under `function`, a free-form tool under `custom` (its text `input`), as recorded.
      const fn = isJsonObject(call.function) ? call.function : isJsonObject(call.custom) ? call.custom : call;
      out.push(toolCallKey(str(fn.name) ?? '', str(fn.arguments) ?? str(fn.input) ?? ''));
    }
  }
  if (isJsonObject(message.function_call)) {
    out.push(toolCallKey(str(message.function_call.name) ?? '', str(message.function_call.arguments) ?? ''));
  }
  if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (
        isJsonObject(part) &&
        (part.type === 'tool_use' || part.type === 'server_tool_use' || part.type === 'mcp_tool_use')
      ) {
        out.push(toolCallKey(str(part.name) ?? '', JSON.stringify(part.input ?? {})));
      }
    }
  }
  return out;
}

function chatMessages(body: JsonObject): ChatMessage[] | null {
  const raw = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : null;
  if (!raw) return null;
  const messages: ChatMessage[] = [];
  const system = body.system ?? body.instructions;
  if (system !== undefined && system !== null) {
    messages.push({ role: 'system', text: contentText(system), toolCalls: [] });
  }
  for (const m of raw) {
    if (!isJsonObject(m)) continue;
    messages.push({
      role: str(m.role) ?? 'user',
      text: contentText(m.content),
      toolCalls: messageToolCalls(m),
    });
  }
  return messages;
}

function promptOf(body: JsonValue, messages: readonly ChatMessage[] | null): string {
  if (messages) return messages.map((m) => m.text).join('\n\n');
  if (!isJsonObject(body)) return '';
  if (typeof body.prompt === 'string') return body.prompt;
  if (Array.isArray(body.prompt) && typeof body.prompt[0] === 'string') return body.prompt[0];
  if (typeof body.input === 'string') return body.input;
  return '';
}

/** The key of an assistant reply as a later request quotes it back: its text and tool calls. */
export function replyKey(text: string, toolCalls: readonly string[]): string {
  return `${normalizeText(text)}\u0000${toolCalls.join('\u0001')}`;
}

export function choiceReplyKey(choice: CallChoice): string {
  return replyKey(
    choice.text,
    choice.toolCalls.map((t) => toolCallKey(t.name, t.arguments)),
  );
}

function hintsOf(parent: JsonValue | undefined, body: JsonValue): string[] {
  const hints: string[] = [];
  const add = (value: JsonValue | undefined) => {
    if (typeof value !== 'string') return;
    for (const part of value.split(/[\s,]+/)) if (part) hints.push(part);
  };
  add(parent);
  if (isJsonObject(body) && isJsonObject(body.metadata)) {
    add(body.metadata.vigil_parent);
    add(body.metadata.parent);
  }
  return hints;
}

function choicesOf(payload: JsonObject | null): CallChoice[] {
  if (!payload || !Array.isArray(payload.choices)) return [];
  const out: CallChoice[] = [];
  for (const c of payload.choices) {
    if (!isJsonObject(c) || typeof c.index !== 'number') continue;
    const toolCalls = Array.isArray(c.toolCalls)
      ? c.toolCalls
          .filter(isJsonObject)
          .map((t) => ({ name: str(t.name) ?? '', arguments: str(t.arguments) ?? '' }))
      : [];
    out.push({ index: c.index, text: str(c.text) ?? '', reasoning: str(c.reasoning) ?? '', toolCalls });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Model calls of the events, in request order. Purged payloads and unknown shapes are skipped. */
export function extractModelCalls(events: readonly EventContent[]): ModelCall[] {
  const responses = new Map<string, EventContent>();
  for (const e of events) {
    if (e.type === 'llm.response' && e.payload && typeof e.payload.requestId === 'string') {
      responses.set(e.payload.requestId, e);
    }
  }
  const calls: ModelCall[] = [];
  for (const e of events) {
    if (e.type !== 'llm.request' || !e.payload) continue;
    const p = e.payload;
    const requestId = str(p.requestId);
    if (!requestId) continue;
    const body = p.body ?? null;
    const messages = isJsonObject(body) ? chatMessages(body) : null;
    const response = responses.get(requestId);
    const responseBody = response?.payload?.body;
    const trace = isJsonObject(p.trace) ? p.trace : null;
    const metadata = isJsonObject(body) && isJsonObject(body.metadata) ? body.metadata : null;
    calls.push({
      requestId,
      sessionId: e.sessionId,
      subject: e.identity.subject,
      seq: e.seq,
      time: e.time,
      responseSeq: response ? response.seq : Number.POSITIVE_INFINITY,
      api: str(p.api) ?? 'unknown',
      model: str(p.model),
      prompt: promptOf(body, messages),
      messages,
      choices: choicesOf(response?.payload ?? null),
      hints: hintsOf(p.parent, body),
      responseId: isJsonObject(responseBody) ? str(responseBody.id) : null,
      traceId: trace ? str(trace.traceId) : null,
      parentSpanId: trace ? str(trace.parentSpanId) : null,
      ownSpanId: metadata ? (str(metadata.vigil_span) ?? str(metadata.span_id)) : null,
      clientConnection: str(p.clientConnection),
    });
  }
  return calls;
}
