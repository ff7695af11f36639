// Rebuilds a streamed response from its SSE events, so the ledger holds the whole response it
// delivered (body()) and the choices read from it as from an unstreamed body (choices()): one
// reading of the events, by the builder of each API's body (openai-stream-body.ts,
// anthropic-stream-body.ts; a Responses stream ends with its whole response). It reads the events
// the relay reads and passes on (sse-events.ts), and nothing after the stream's terminal event.
// An event its clients would put together otherwise than this reading (Anthropic blocks out of
// order, a chat choice or tool call without a plain index or named twice, words after a choice's
// finish_reason, a Responses text its final response contradicts) is refused: the relay cuts the
// stream before it.
import type { EventSourceMessage } from 'eventsource-parser';
import type { JsonValue } from '../../core/events.js';
import type { LlmApi, LlmChoice } from '../../core/llm-payloads.js';
import { assertUnambiguousKeys } from '../../http/json-keys.js';
import { AnthropicMessageBuilder } from './anthropic-stream-body.js';
import { choicesFromBody, errorFromBody, usageFromBody } from './choices.js';
import { OpenAiCompletionBuilder } from './openai-stream-body.js';
import { ResponsesStreamTexts } from './responses-stream-texts.js';
import { isDoneMarker, SseEventReader } from './sse-events.js';

type Obj = Record<string, unknown>;

/** Whether an event's JSON text means one thing to every client (http/json-keys.ts). */
function unambiguous(text: string, value: Obj): boolean {
  try {
    assertUnambiguousKeys(text, value as JsonValue);
    return true;
  } catch {
    return false;
  }
}
/** The event names whose data the Anthropic SDKs parse as JSON (`error` stops the stream before). */
const ANTHROPIC_PARSED = new Set([
  'completion',
  'message_start',
  'message_delta',
  'message_stop',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
]);

/** Whether the SDKs parse an event's data as JSON: every event of OpenAI's, Anthropic's by name. */
function parsedByClients(api: LlmApi, name: string | undefined): boolean {
  return api !== 'anthropic.messages' || (name !== undefined && ANTHROPIC_PARSED.has(name));
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class StreamAssembler {
  readonly #api: LlmApi;
  readonly #reader = new SseEventReader();
  /** A Responses stream's answer text as it streams, the record of a stream cut before its end. */
  #responsesText: string | null = null;
  #usage: JsonValue = null;
  #error: { code: string; message: string } | null = null;
  #final: LlmChoice[] | null = null;
  #terminal = false;
  /** An error ended the stream before its terminal event. */
  #stopped = false;
  #providerId: string | null = null;
  /** Why the stream was not read further: an event its clients would read differently (null: none). */
  #refusal: string | null = null;
  /** The response object a Responses stream ends with (response.completed and its kin). */
  #responsesBody: JsonValue = null;
  readonly #anthropicBody = new AnthropicMessageBuilder();
  /** Every text a Responses stream gives, checked against each later reading of it. */
  readonly #responsesTexts = new ResponsesStreamTexts();
  /** A chat or text completion stream's rebuilt body, whose choices are read as an unstreamed body's. */
  readonly #openAiBody: OpenAiCompletionBuilder | null;

  constructor(api: LlmApi) {
    this.#api = api;
    this.#openAiBody =
      api === 'openai.chat' || api === 'openai.completions'
        ? new OpenAiCompletionBuilder(api === 'openai.chat' ? 'chat' : 'text')
        : null;
  }

  /** Feeds raw bytes; returns true when this chunk completed the stream's terminal event. */
  push(chunk: Uint8Array): boolean {
    const before = this.#terminal;
    for (const item of this.#reader.push(chunk)) if ('event' in item) this.read(item.event);
    return !before && this.#terminal;
  }

  /**
   * Takes one event; after the terminal event or an error nothing is read (a client has stopped
   * reading). `json`: its data as JSON.parse already read it (event-names.ts), not parsed again.
   */
  read(event: EventSourceMessage, json?: { readonly value: unknown }): void {
    if (!this.ended) this.#onEvent(event, json);
  }

  /** The stream's terminal event or an error has been read: a client reads nothing after it. */
  get ended(): boolean {
    return this.#terminal || this.#stopped;
  }

  get terminal(): boolean {
    return this.#terminal;
  }

  get usage(): JsonValue {
    return this.#api === 'anthropic.messages' ? usageFromBody(this.#anthropicBody.body()) : this.#usage;
  }

  /**
   * Why the last event read was refused (null: it was not): the stream stops before it, neither
   * recorded nor relayed, since its clients would not read it alike.
   */
  get refusal(): string | null {
    return this.#refusal;
  }

  get error(): { code: string; message: string } | null {
    return this.#error;
  }

  /** The provider's id of the response, from the first event that carries it. */
  get providerId(): string | null {
    return this.#providerId;
  }

  /**
   * The whole response as the same request unstreamed would have returned it: the Responses API's
   * final response object, or an Anthropic message, a chat completion or a text completion rebuilt
   * from its events.
   */
  body(): JsonValue {
    if (this.#api === 'anthropic.messages') return (this.#anthropicBody.body() as JsonValue) ?? null;
    if (this.#openAiBody) return (this.#openAiBody.body() as JsonValue) ?? null;
    return this.#responsesBody;
  }

  #sawId(id: unknown): void {
    if (this.#providerId === null && typeof id === 'string' && id !== '') this.#providerId = id;
  }

  choices(): LlmChoice[] {
    if (this.#final) return this.#final;
    if (this.#openAiBody) return choicesFromBody(this.#api, this.#openAiBody.body());
    if (this.#api === 'anthropic.messages') return this.#anthropicBody.choices();
    if (this.#responsesText === null) return [];
    return [{ index: 0, text: this.#responsesText, reasoning: '', finishReason: null, toolCalls: [] }];
  }

  #onEvent(event: EventSourceMessage, json: { readonly value: unknown } | undefined): void {
    if (isDoneMarker(event.data)) {
      this.#terminal = true;
      return;
    }
    let data: unknown = json?.value;
    if (json === undefined) {
      try {
        data = JSON.parse(event.data);
      } catch {
        data = undefined; // keep-alives and markers carry no JSON
      }
    }
    // The SDKs stop reading at an error (Anthropic's at an `error` event, whatever its data;
    // OpenAI's at data with an `error`), so the record stops there too: what follows it in the
    // stream reaches no SDK's caller.
    const stops =
      this.#api === 'anthropic.messages' ? event.event === 'error' : isObj(data) && Boolean(data.error);
    if (stops) {
      this.#error = errorFromBody(data) ?? { code: 'stream_error', message: event.data };
      this.#stopped = true;
      return;
    }
    // Data that is not JSON, where an SDK parses it: the openai SDKs (TypeScript and Python) parse
    // every event's data and throw there, Anthropic's every event of its own names; until 7 December
    // the record read on past it, and held an answer, complete, that no client was shown the end of.
    if (data === undefined && parsedByClients(this.#api, event.event)) {
      this.#refusal = 'an event of the stream has data that is not JSON, which the SDKs fail at';
      this.#stopped = true;
      return;
    }
    if (!isObj(data)) return;
    // A key twice in one object, or two that differ only in case: JSON.parse keeps the last, a Go
    // client (encoding/json matches fields ignoring case) reads `Content` as `content`, so the
    // client could show words this reading, and so the record, never held (until 7 December).
    if (!unambiguous(event.data, data)) {
      this.#refusal =
        'an event of the stream has a key twice, or two keys that differ only in case, which clients read differently';
      this.#stopped = true;
      return;
    }
    const error = errorFromBody(data);
    if (error || event.event === 'error') {
      this.#error = error ?? { code: 'stream_error', message: event.data };
    }
    if (this.#api === 'anthropic.messages' && this.#anthropicBody.outOfOrder(data)) {
      this.#refusal = `the stream's content blocks came out of order (${str(data.type)} at index ${String(data.index)})`;
      this.#stopped = true;
      return;
    }
    const unreadable = this.#openAiBody?.unreadable(data) ?? null;
    if (unreadable !== null) {
      this.#refusal = unreadable;
      this.#stopped = true;
      return;
    }
    if (this.#api === 'anthropic.messages') this.#anthropic(data);
    else if (this.#api === 'openai.responses') this.#responses(data);
    else this.#openAi(data);
  }

  #openAi(data: Obj): void {
    this.#openAiBody?.push(data);
    this.#sawId(data.id);
    if (isObj(data.usage)) this.#usage = data.usage as JsonValue;
  }

  #responses(data: Obj): void {
    if (isObj(data.response)) this.#sawId(data.response.id);
    const disagrees = this.#responsesTexts.read(data);
    if (disagrees !== null) {
      this.#refusal = disagrees;
      this.#stopped = true;
      return;
    }
    switch (data.type) {
      case 'response.output_text.delta':
        this.#responsesText = (this.#responsesText ?? '') + str(data.delta);
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        this.#terminal = true;
        const response = isObj(data.response) ? data.response : {};
        this.#responsesBody = response as JsonValue;
        if (isObj(response.usage)) this.#usage = response.usage as JsonValue;
        this.#final = choicesFromBody('openai.responses', response);
        break;
      }
    }
  }

  #anthropic(data: Obj): void {
    this.#anthropicBody.push(data);
    if (data.type === 'message_start' && isObj(data.message)) this.#sawId(data.message.id);
    if (data.type === 'message_stop') this.#terminal = true;
  }
}
