// Rebuilds a streamed response from its SSE events, so the ledger holds the whole text of every
// choice, and the whole response where the stream gives it (body()). The bytes themselves pass to
// the client untouched; this only listens.
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { JsonValue } from '../../core/events.js';
import type { LlmApi, LlmChoice } from '../../core/llm-payloads.js';
import { AnthropicMessageBuilder } from './anthropic-stream-body.js';
import { ANTHROPIC_TOOL_BLOCKS, choicesFromBody, errorFromBody } from './choices.js';
import { OpenAiCompletionBuilder } from './openai-stream-body.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

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
  /** A chat or text completion stream's rebuilt body, whose choices are read as an unstreamed body's. */
  readonly #openAiBody: OpenAiCompletionBuilder | null;

  constructor(api: LlmApi) {
    this.#api = api;
    this.#openAiBody =
      api === 'openai.chat' || api === 'openai.completions'
        ? new OpenAiCompletionBuilder(api === 'openai.chat' ? 'chat' : 'text')
        : null;
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
    this.#openAiBody?.push(data);
    this.#sawId(data.id);
    if (isObj(data.usage)) this.#usage = data.usage as JsonValue;
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
