// Model calls as spans, after the OpenTelemetry GenAI semantic conventions: `chat {model}`, kind
// CLIENT, the gen_ai.* request, response and usage attributes, read from the recorded llm.request
// and llm.response payloads (already masked). Content (messages) only when the operator asked.
import type { JsonObject, JsonValue, StoredEvent } from '../core/events.js';
import { contentText } from '../reasoning/calls.js';
import { notBefore, num, obj, type PlannedSpan, put, type SpanAttributes, str } from './span-plan.js';

/** gen_ai.operation.name per recorded API; APIs that generate nothing keep their own name. */
const OPERATIONS: Record<string, string> = {
  'openai.chat': 'chat',
  'openai.responses': 'chat',
  'openai.completions': 'text_completion',
  'openai.embeddings': 'embeddings',
  'anthropic.messages': 'chat',
};

export function llmSpanKey(requestId: string): string {
  return `llm:${requestId}`;
}

/**
 * One span per llm.request: from the request's record to its response's (or `fallbackEnd` when
 * no response was recorded: the session ended first).
 */
export function llmSpan(
  request: StoredEvent,
  response: StoredEvent | null,
  fallbackEnd: string,
  content: boolean,
): PlannedSpan | null {
  const p = request.payload;
  const requestId = p ? str(p.requestId) : null;
  if (!p || !requestId) return null;
  const api = str(p.api) ?? 'unknown';
  const provider = api.split('.')[0]!;
  const operation = OPERATIONS[api] ?? api;
  const model = str(p.model);
  const body = obj(p.body);
  const attributes: SpanAttributes = {
    'gen_ai.operation.name': operation,
    // Both names: gen_ai.system until semconv 1.36, gen_ai.provider.name since.
    'gen_ai.system': provider,
    'gen_ai.provider.name': provider,
    'gen_ai.conversation.id': request.sessionId,
    'vigil.request_id': requestId,
    'vigil.event.seq': request.seq,
  };
  put(attributes, 'gen_ai.request.model', model);
  if (body) requestParameters(attributes, body, content);

  const r = response?.payload ?? null;
  let error: string | null = response ? null : 'no response was recorded';
  if (r) {
    const status = num(r.status);
    const failure = obj(r.error);
    if (failure) error = str(failure.code) ?? 'upstream_failed';
    else if (status !== null && status >= 400) error = String(status);
    if (error !== null) put(attributes, 'error.type', error);
    put(attributes, 'http.response.status_code', status);
    responseAttributes(attributes, r);
    if (r.partial === true) attributes['vigil.partial'] = true;
  }
  if (content) contentAttributes(attributes, body, r);

  return {
    key: llmSpanKey(requestId),
    parent: null,
    name: model && operation in NAMED_BY_MODEL ? `${operation} ${model}` : operation,
    kind: 'client',
    start: request.time,
    end: notBefore(response?.time ?? fallbackEnd, request.time),
    attributes,
    events: [],
    links: [],
    error,
  };
}

const NAMED_BY_MODEL: Record<string, true> = { chat: true, text_completion: true, embeddings: true };

function requestParameters(attributes: SpanAttributes, body: JsonObject, content: boolean): void {
  put(attributes, 'gen_ai.request.temperature', num(body.temperature));
  put(attributes, 'gen_ai.request.top_p', num(body.top_p));
  put(attributes, 'gen_ai.request.top_k', num(body.top_k));
  put(
    attributes,
    'gen_ai.request.max_tokens',
    num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens),
  );
  put(attributes, 'gen_ai.request.choice.count', num(body.n));
  put(attributes, 'gen_ai.request.seed', num(body.seed));
  put(attributes, 'gen_ai.request.frequency_penalty', num(body.frequency_penalty));
  put(attributes, 'gen_ai.request.presence_penalty', num(body.presence_penalty));
  if (body.stream === true) attributes['vigil.stream'] = true;
  // Stop sequences are text the caller wrote: content, so only when content is on.
  if (content) {
    const stop = body.stop ?? body.stop_sequences;
    const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter(isString) : [];
    put(attributes, 'gen_ai.request.stop_sequences', stops);
  }
}

function responseAttributes(attributes: SpanAttributes, r: JsonObject): void {
  const body = obj(r.body);
  if (body) {
    put(attributes, 'gen_ai.response.model', str(body.model));
    put(attributes, 'gen_ai.response.id', str(body.id));
  }
  const usage = obj(r.usage) ?? (body ? obj(body.usage) : null);
  if (usage) {
    // OpenAI chat counts prompt/completion tokens; the Responses API and Anthropic input/output.
    put(attributes, 'gen_ai.usage.input_tokens', num(usage.prompt_tokens) ?? num(usage.input_tokens));
    put(attributes, 'gen_ai.usage.output_tokens', num(usage.completion_tokens) ?? num(usage.output_tokens));
  }
  const reasons = choicesOf(r)
    .map((c) => str(c.finishReason))
    .filter(isString);
  put(attributes, 'gen_ai.response.finish_reasons', reasons);
}

function choicesOf(r: JsonObject | null): JsonObject[] {
  return r && Array.isArray(r.choices) ? r.choices.map((c) => obj(c)).filter((c) => c !== null) : [];
}

/**
 * gen_ai.input.messages, gen_ai.system_instructions and gen_ai.output.messages as the conventions'
 * JSON shapes (role, parts), from the masked recorded bodies: the ledger's truth, never the wire.
 */
function contentAttributes(attributes: SpanAttributes, body: JsonObject | null, r: JsonObject | null): void {
  if (body) {
    const raw = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : null;
    const system = body.system ?? body.instructions;
    if (system !== undefined && system !== null) {
      attributes['gen_ai.system_instructions'] = JSON.stringify([
        { type: 'text', content: contentText(system) },
      ]);
    }
    const input = raw
      ? raw
          .map((m) => obj(m))
          .filter((m) => m !== null)
          .map((m) => textMessage(str(m.role) ?? 'user', m.content))
      : typeof body.prompt === 'string' || typeof body.input === 'string'
        ? [textMessage('user', body.prompt ?? body.input)]
        : [];
    put(attributes, 'gen_ai.input.messages', input.length > 0 ? JSON.stringify(input) : null);
  }
  const output = choicesOf(r).map((c) => ({
    role: 'assistant',
    parts: [
      ...(str(c.text) ? [{ type: 'text', content: str(c.text) }] : []),
      ...(Array.isArray(c.toolCalls) ? c.toolCalls : [])
        .map((t) => obj(t))
        .filter((t) => t !== null)
        .map((t) => ({ type: 'tool_call', id: str(t.id), name: str(t.name), arguments: str(t.arguments) })),
    ],
    finish_reason: str(c.finishReason),
  }));
  put(attributes, 'gen_ai.output.messages', output.length > 0 ? JSON.stringify(output) : null);
}

function textMessage(role: string, value: JsonValue | undefined): { role: string; parts: JsonObject[] } {
  return { role, parts: [{ type: 'text', content: contentText(value) }] };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}
