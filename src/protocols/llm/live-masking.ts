// Masking toward the client (`mask_responses: true`): the stream stays a stream. Each SSE event is
// rewritten as it arrives; the text deltas of every choice (or content block) run through their own
// streaming masker, which holds back only its bounded window, and the held text is released into
// the event that closes the choice. Events without deltas are masked whole.
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { JsonObject, JsonValue } from '../../core/events.js';
import type { LlmApi } from '../../core/llm-payloads.js';
import type { PayloadMasker, StreamTextMasker } from '../../core/ports.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SseMaskingRewriter {
  readonly #api: LlmApi;
  readonly #masker: PayloadMasker;
  readonly #connection: string;
  readonly #parser: EventSourceParser;
  readonly #decoder = new TextDecoder();
  readonly #streams = new Map<string, StreamTextMasker>();
  #out = '';

  constructor(api: LlmApi, masker: PayloadMasker, connection: string) {
    this.#api = api;
    this.#masker = masker;
    this.#connection = connection;
    this.#parser = createParser({ onEvent: (e) => this.#onEvent(e) });
  }

  /** Feeds upstream bytes; returns the rewritten SSE text to send now (possibly empty). */
  push(chunk: Uint8Array): string {
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    const out = this.#out;
    this.#out = '';
    return out;
  }

  #stream(key: string): StreamTextMasker {
    let s = this.#streams.get(key);
    if (!s) {
      s = this.#masker.createStreamMasker(this.#connection);
      this.#streams.set(key, s);
    }
    return s;
  }

  /** Releases a stream's held-back text (when its choice or block ends). */
  #flush(key: string): string {
    const s = this.#streams.get(key);
    if (!s) return '';
    this.#streams.delete(key);
    return s.end();
  }

  #emit(event: EventSourceMessage, data: string): void {
    if (event.id !== undefined) this.#out += `id: ${event.id}\n`;
    if (event.event !== undefined) this.#out += `event: ${event.event}\n`;
    this.#out += `data: ${data}\n\n`;
  }

  #onEvent(event: EventSourceMessage): void {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      // [DONE] and other non-JSON data carry no text of the model's; masked as text all the same.
      this.#emit(event, this.#masker.maskText(event.data, this.#connection));
      return;
    }
    if (!isObj(data)) {
      this.#emit(event, JSON.stringify(data));
      return;
    }
    if (this.#api === 'anthropic.messages') this.#anthropic(event, data);
    else if (this.#api === 'openai.responses') this.#responses(event, data);
    else this.#openAi(event, data);
  }

  #openAi(event: EventSourceMessage, data: Obj): void {
    const choices = Array.isArray(data.choices) ? data.choices : [];
    const rewritten = choices.map((raw) => {
      if (!isObj(raw)) return raw;
      const key = `choice:${typeof raw.index === 'number' ? raw.index : 0}`;
      const choice = { ...raw };
      const closes = typeof raw.finish_reason === 'string';
      if (typeof raw.text === 'string' || (closes && !isObj(raw.delta))) {
        choice.text =
          this.#stream(key).push(typeof raw.text === 'string' ? raw.text : '') +
          (closes ? this.#flush(key) : '');
      }
      if (isObj(raw.delta)) {
        const delta = { ...raw.delta };
        const content = typeof delta.content === 'string' ? delta.content : '';
        const masked = this.#stream(key).push(content) + (closes ? this.#flush(key) : '');
        if (typeof delta.content === 'string' || masked !== '') delta.content = masked;
        choice.delta = this.#maskRest(delta, 'content');
      }
      return choice;
    });
    this.#emit(event, JSON.stringify({ ...this.#maskRest(data, 'choices'), choices: rewritten }));
  }

  #anthropic(event: EventSourceMessage, data: Obj): void {
    const key = `block:${typeof data.index === 'number' ? data.index : 0}`;
    if (data.type === 'content_block_delta' && isObj(data.delta) && data.delta.type === 'text_delta') {
      const text = this.#stream(key).push(String(data.delta.text ?? ''));
      this.#emit(event, JSON.stringify({ ...data, delta: { ...data.delta, text } }));
      return;
    }
    if (data.type === 'content_block_stop') {
      const rest = this.#flush(key);
      if (rest) {
        const delta = {
          type: 'content_block_delta',
          index: data.index,
          delta: { type: 'text_delta', text: rest },
        };
        this.#emit({ ...event, event: 'content_block_delta' }, JSON.stringify(delta));
      }
    }
    this.#emit(event, JSON.stringify(this.#masker.maskPayload(data as JsonObject, this.#connection)));
  }

  #responses(event: EventSourceMessage, data: Obj): void {
    const key = `item:${String(data.item_id ?? data.output_index ?? 0)}`;
    if (data.type === 'response.output_text.delta') {
      this.#emit(event, JSON.stringify({ ...data, delta: this.#stream(key).push(String(data.delta ?? '')) }));
      return;
    }
    if (data.type === 'response.output_text.done') {
      const rest = this.#flush(key);
      if (rest)
        this.#emit(
          { ...event, event: 'response.output_text.delta' },
          JSON.stringify({ ...data, type: 'response.output_text.delta', delta: rest }),
        );
    }
    this.#emit(event, JSON.stringify(this.#masker.maskPayload(data as JsonObject, this.#connection)));
  }

  /** Masks every field of an object except the one handled as a stream. */
  #maskRest(obj: Obj, except: string): Obj {
    const { [except]: kept, ...rest } = obj;
    const masked = this.#masker.maskPayload(rest as JsonObject, this.#connection) as Obj;
    return kept === undefined ? masked : { ...masked, [except]: kept as JsonValue };
  }
}
