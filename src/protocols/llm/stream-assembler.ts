// Rebuilds a streamed response from its SSE events, so the ledger holds the whole text of every
// choice, and the whole response where the stream gives it (body()). The bytes themselves pass to
// the client untouched; this only listens.
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { JsonValue } from '../../core/events.js';
import type { LlmApi, LlmChoice } from '../../core/llm-payloads.js';
import { AnthropicMessageBuilder } from './anthropic-stream-body.js';
import { ChatCompletionBuilder } from './chat-stream-body.js';
import {
  ANTHROPIC_TOOL_BLOCKS,
  chatToolCallParts,
  choicesFromBody,
  contentText,
  errorFromBody,
} from './choices.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Where a streamed legacy `function_call` is kept among a choice's tool calls: after any real one. */
const LEGACY_FUNCTION_CALL = Number.MAX_SAFE_INTEGER;

interface ToolCallDraft {
  id: string;
  name: string;
  arguments: string;
}

interface ChoiceDraft {
  text: string;
  reasoning: string;
  finishReason: string | null;
  tools: Map<number, ToolCallDraft>;
}

export class StreamAssembler {
  readonly #api: LlmApi;
  readonly #parser: EventSourceParser;
  readonly #decoder = new TextDecoder();
  readonly #choices = new Map<number, ChoiceDraft>();
  #usage: JsonValue = null;
  #error: { code: string; message: string } | null = null;
  #final: LlmChoice[] | null = null;
  #terminal = false;
  #providerId: string | null = null;
  /** The response object a Responses stream ends with (response.completed and its kin). */
  #responsesBody: JsonValue = null;
  readonly #anthropicBody = new AnthropicMessageBuilder();
  readonly #chatBody = new ChatCompletionBuilder();

  constructor(api: LlmApi) {
    this.#api = api;
    this.#parser = createParser({ onEvent: (event) => this.#onEvent(event) });
  }

  /** Feeds raw bytes; returns true when this chunk completed the stream's terminal event. */
  push(chunk: Uint8Array): boolean {
    const before = this.#terminal;
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    return !before && this.#terminal;
  }

  get terminal(): boolean {
    return this.#terminal;
  }

  get usage(): JsonValue {
    return this.#usage;
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
   * final response object, an Anthropic message or a chat completion rebuilt from its events. Null
   * for completions streams, whose choices are the record.
   */
  body(): JsonValue {
    if (this.#api === 'anthropic.messages') return (this.#anthropicBody.body() as JsonValue) ?? null;
    if (this.#api === 'openai.chat') return (this.#chatBody.body() as JsonValue) ?? null;
    return this.#responsesBody;
  }

  #sawId(id: unknown): void {
    if (this.#providerId === null && typeof id === 'string' && id !== '') this.#providerId = id;
  }

  choices(): LlmChoice[] {
    if (this.#final) return this.#final;
    return [...this.#choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({
        index,
        text: c.text,
        reasoning: c.reasoning,
        finishReason: c.finishReason,
        toolCalls: [...c.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => ({ ...t })),
      }));
  }

  #choice(index: number): ChoiceDraft {
    let c = this.#choices.get(index);
    if (!c) {
      c = { text: '', reasoning: '', finishReason: null, tools: new Map() };
      this.#choices.set(index, c);
    }
    return c;
  }

  #tool(choice: ChoiceDraft, index: number): ToolCallDraft {
    let t = choice.tools.get(index);
    if (!t) {
      t = { id: '', name: '', arguments: '' };
      choice.tools.set(index, t);
    }
    return t;
  }

  #onEvent(event: EventSourceMessage): void {
    if (event.data === '[DONE]') {
      this.#terminal = true;
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return; // comments and keep-alives carry no JSON
    }
    if (!isObj(data)) return;
    const error = errorFromBody(data);
    if (error || event.event === 'error') {
      this.#error = error ?? { code: 'stream_error', message: event.data };
    }
    if (this.#api === 'anthropic.messages') this.#anthropic(data);
    else if (this.#api === 'openai.responses') this.#responses(data);
    else this.#openAi(data);
  }

  #openAi(data: Obj): void {
    if (this.#api === 'openai.chat') this.#chatBody.push(data);
    this.#sawId(data.id);
    if (isObj(data.usage)) this.#usage = data.usage as JsonValue;
    for (const raw of Array.isArray(data.choices) ? data.choices : []) {
      if (!isObj(raw)) continue;
      const choice = this.#choice(typeof raw.index === 'number' ? raw.index : 0);
      if (typeof raw.finish_reason === 'string') choice.finishReason = raw.finish_reason;
      if (typeof raw.text === 'string') choice.text += raw.text; // completions
      const delta = isObj(raw.delta) ? raw.delta : null;
      if (!delta) continue;
      // An audio answer's words come as its transcript.
      const audio = isObj(delta.audio) ? str(delta.audio.transcript) : '';
      choice.text += contentText(delta.content) + str(delta.refusal) + audio;
      choice.reasoning += str(delta.reasoning_content) || str(delta.reasoning);
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        if (!isObj(call)) continue;
        const tool = this.#tool(choice, typeof call.index === 'number' ? call.index : 0);
        if (call.id) tool.id = str(call.id);
        const part = chatToolCallParts(call);
        tool.name += part.name;
        tool.arguments += part.arguments;
      }
      // The legacy `function_call` (a request with `functions`): one call, streamed like a tool call's.
      if (isObj(delta.function_call)) {
        const tool = this.#tool(choice, LEGACY_FUNCTION_CALL);
        tool.name += str(delta.function_call.name);
        tool.arguments += str(delta.function_call.arguments);
      }
    }
  }

  #responses(data: Obj): void {
    if (isObj(data.response)) this.#sawId(data.response.id);
    switch (data.type) {
      case 'response.output_text.delta':
        this.#choice(0).text += str(data.delta);
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
    switch (data.type) {
      case 'message_start': {
        const message = isObj(data.message) ? data.message : {};
        this.#sawId(message.id);
        if (isObj(message.usage)) this.#usage = { ...(message.usage as Obj) } as JsonValue;
        this.#choice(0);
        break;
      }
      case 'content_block_start': {
        const block = isObj(data.content_block) ? data.content_block : {};
        if (ANTHROPIC_TOOL_BLOCKS.has(str(block.type))) {
          const tool = this.#tool(this.#choice(0), typeof data.index === 'number' ? data.index : 0);
          tool.id = str(block.id);
          tool.name = str(block.name);
          // A block whose input comes whole at its start, rather than in input_json_delta pieces.
          if (isObj(block.input) && Object.keys(block.input).length > 0)
            tool.arguments = JSON.stringify(block.input);
        }
        break;
      }
      case 'content_block_delta': {
        const delta = isObj(data.delta) ? data.delta : {};
        if (delta.type === 'text_delta') this.#choice(0).text += str(delta.text);
        if (delta.type === 'thinking_delta') this.#choice(0).reasoning += str(delta.thinking);
        if (delta.type === 'input_json_delta') {
          this.#tool(this.#choice(0), typeof data.index === 'number' ? data.index : 0).arguments += str(
            delta.partial_json,
          );
        }
        break;
      }
      case 'message_delta': {
        const delta = isObj(data.delta) ? data.delta : {};
        if (typeof delta.stop_reason === 'string') this.#choice(0).finishReason = delta.stop_reason;
        if (isObj(data.usage))
          this.#usage = { ...(isObj(this.#usage) ? this.#usage : {}), ...data.usage } as JsonValue;
        break;
      }
      case 'message_stop':
        this.#terminal = true;
        break;
    }
  }
}
