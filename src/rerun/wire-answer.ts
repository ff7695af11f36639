// What a recorded response becomes on the wire for a re-run request: the recorded JSON body when
// there is one and a whole answer is wanted, else a body or an event stream rebuilt from the
// recorded choices in the provider's own format (openai-wire.ts, anthropic-wire.ts). The recording
// keeps each choice's text and tool calls, not the original chunk boundaries, so a rebuilt stream
// carries the same content in word-sized chunks.
import type { JsonObject, JsonValue } from '../core/events.js';
import type { LlmApi } from '../core/llm-payloads.js';
import { anthropicBody, anthropicStream } from './anthropic-wire.js';
import {
  chatBody,
  chatStream,
  completionBody,
  completionStream,
  responsesBody,
  responsesStream,
} from './openai-wire.js';
import type { RecordedCall } from './recorded-calls.js';
import type { AnswerHead } from './wire-pieces.js';

export type WireAnswer =
  | { readonly kind: 'json'; readonly status: number; readonly body: JsonValue }
  /** SSE events, each already framed; `cut` ends the connection without finishing (a broken recording). */
  | { readonly kind: 'sse'; readonly status: number; readonly events: string[]; readonly cut: boolean };

/** Whether the re-run request asked for a stream, and for usage in it. */
export interface Delivery {
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

const isObj = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function deliveryOf(body: JsonValue): Delivery {
  const obj = isObj(body) ? body : {};
  const options = isObj(obj.stream_options) ? obj.stream_options : {};
  return { stream: obj.stream === true, includeUsage: options.include_usage === true };
}

export function wireAnswer(call: RecordedCall, delivery: Delivery): WireAnswer {
  const r = call.response;
  const failed = r.status >= 400 || (r.error !== null && r.choices.length === 0);
  if (failed) {
    // A failed stream's body is what it delivered before failing, not an error the API would give.
    const body =
      !r.stream && r.body !== null
        ? r.body
        : { error: { message: r.error?.message ?? '', code: r.error?.code ?? null } };
    return { kind: 'json', status: r.status >= 400 ? r.status : 502, body };
  }
  if (!delivery.stream && r.body !== null && !r.partial)
    return { kind: 'json', status: r.status, body: r.body };
  const head = headOf(call);
  if (!delivery.stream) return { kind: 'json', status: r.status, body: rebuiltBody(call.api, head, call) };
  const events = rebuiltStream(call.api, head, call, delivery);
  return { kind: 'sse', status: r.status, events, cut: r.partial };
}

function headOf(call: RecordedCall): AnswerHead {
  const recorded = isObj(call.response.body) ? call.response.body : {};
  const request = isObj(call.body) ? call.body : {};
  const model = [recorded.model, request.model].find((m) => typeof m === 'string');
  const created = [recorded.created, recorded.created_at].find((c) => typeof c === 'number');
  const extra: JsonObject = {};
  if (typeof recorded.system_fingerprint === 'string') extra.system_fingerprint = recorded.system_fingerprint;
  return {
    id: typeof recorded.id === 'string' ? recorded.id : null,
    created: typeof created === 'number' ? created : Math.floor(Date.parse(call.time) / 1000),
    model: typeof model === 'string' ? model : 'unknown',
    requestId: call.requestId,
    extra,
  };
}

function rebuiltBody(api: LlmApi, head: AnswerHead, call: RecordedCall): JsonValue {
  const { choices, usage } = call.response;
  switch (api) {
    case 'anthropic.messages':
      return anthropicBody(head, choices, usage);
    case 'openai.completions':
      return completionBody(head, choices, usage);
    case 'openai.responses':
      return responsesBody(head, choices, usage);
    default:
      return chatBody(head, choices, usage);
  }
}

function rebuiltStream(api: LlmApi, head: AnswerHead, call: RecordedCall, delivery: Delivery): string[] {
  const { choices, usage, body } = call.response;
  switch (api) {
    case 'anthropic.messages':
      return anthropicStream(head, choices, usage);
    case 'openai.completions':
      return completionStream(head, choices, delivery.includeUsage ? usage : null);
    case 'openai.responses':
      return responsesStream(isObj(body) ? body : (responsesBody(head, choices, usage) as JsonObject));
    default:
      return chatStream(head, choices, delivery.includeUsage ? usage : null);
  }
}
