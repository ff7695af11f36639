// Payload shapes of the model-traffic events. Replay, search and the reasoning-tree rebuild read
// these, so they are part of the ledger format: extend them, never change a field's meaning.
import type { JsonObject, JsonValue } from './events.js';

export const LLM_APIS = [
  'openai.chat',
  'openai.completions',
  'openai.responses',
  'openai.embeddings',
  'openai.models',
  'anthropic.messages',
  'anthropic.count_tokens',
  'anthropic.models',
] as const;
export type LlmApi = (typeof LLM_APIS)[number];

/** W3C trace context taken from a `traceparent` header. */
export interface TraceContext {
  readonly traceId: string;
  /** The caller's span id: the parent of this call. */
  readonly parentSpanId: string;
}

export interface LlmRequestPayload extends JsonObject {
  /** Vigil's id for this request; a reasoning-tree node is `${requestId}:${choiceIndex}`. */
  requestId: string;
  api: LlmApi;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  /** Number of choices requested (`n` for OpenAI, 1 otherwise). */
  n: number;
  /** The request body as sent (masked); null for bodiless requests. */
  body: JsonValue;
  /** `x-vigil-parent`: a node (`requestId:choice`) or request id the caller names as this call's parent. */
  parent: string | null;
  trace: { traceId: string; parentSpanId: string } | null;
  /**
   * The client's TCP connection: a per-process counter, the same for every request on one
   * keep-alive socket; null where there is no socket (a policy test's sample). Events recorded
   * before it existed lack it: readers take that as null.
   */
  clientConnection: string | null;
}

/**
 * An llm.request as recorded since 5 December: with `query`, the query string as forwarded (masked),
 * '' or `?…`, holding only the parameters the module lets through (docs/llm.md). Events recorded
 * before lack it: readers take that as ''. (A type of its own so that payloads built without it,
 * as by older tools and fixtures, still type as an LlmRequestPayload.)
 */
export interface LlmRequestRecord extends LlmRequestPayload {
  query: string;
}

export interface LlmToolCall extends JsonObject {
  id: string;
  name: string;
  arguments: string;
}

export interface LlmChoice extends JsonObject {
  index: number;
  text: string;
  /**
   * The reasoning the model showed before its answer: Anthropic thinking blocks, the
   * `reasoning_content` (or `reasoning`) of OpenAI-compatible servers, a Responses reasoning item's
   * summary and text; '' when it showed none. Events recorded before 3 December lack it: readers
   * take that as ''.
   */
  reasoning: string;
  finishReason: string | null;
  toolCalls: LlmToolCall[];
}

export interface LlmResponsePayload extends JsonObject {
  requestId: string;
  status: number;
  stream: boolean;
  choices: LlmChoice[];
  usage: JsonValue;
  /** Milliseconds from forwarding the request to the first body byte of a stream; null otherwise. */
  ttftMs: number | null;
  durationMs: number;
  /**
   * The full JSON body of a non-streamed response (masked); for a stream, the whole answer it
   * delivered: a chat completion (since 5 December), a text completion (since 5 December, later) or
   * an Anthropic message (since 4 December) rebuilt from its events, the Responses API's final
   * response object (since 4 December); null for streams recorded before, and for non-JSON bodies
   * (see bodyText).
   */
  body: JsonValue;
  /**
   * A non-streamed body that is not JSON (a proxy's HTML error page, plain text), as text (masked),
   * so what the client received is in the record all the same. Null otherwise; absent in events
   * recorded before 4 December.
   */
  bodyText: string | null;
  /** Set when the exchange failed: upstream error status, a broken stream, a client abort. */
  error: { code: string; message: string } | null;
  /** True when the response was cut short (upstream died mid-stream, client went away). */
  partial: boolean;
  /**
   * The provider's id of the response (`chatcmpl-…`, `resp_…`, `msg_…`), from the body or the
   * stream's first events, and the upstream's request id header (`x-request-id`, `request-id`):
   * what a provider's own logs and support know a call by. Null when the upstream gave none.
   * (Events recorded before these were kept lack both.)
   */
  providerId: string | null;
  upstreamRequestId: string | null;
}
