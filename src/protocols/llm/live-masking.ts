// Masking toward the client (`mask_responses: true`): the stream stays a stream. Each SSE event is
// rewritten as it arrives; every text that arrives in pieces (a choice's content, reasoning, refusal
// and tool-call input, the legacy function_call's arguments; a content block's text, thinking or
// tool input; a Responses item's text, reasoning, arguments, tool input or code) runs through its
// own streaming masker, which holds back only its bounded window, and the held text is released
// into the event that closes it. Other events are masked whole.
import type { EventSourceMessage } from 'eventsource-parser';
import type { JsonObject } from '../../core/events.js';
import type { LlmApi } from '../../core/llm-payloads.js';
import type { PayloadMasker, StreamTextMasker } from '../../core/ports.js';
import { maskLogprobs } from './logprob-masking.js';
import { SSE_KEEP_ALIVE, SseEventReader, sseEventText } from './sse-events.js';
import {
  ANTHROPIC_DELTA_TEXT,
  CHAT_TEXT_FIELDS,
  DELTA_PLACE,
  RESPONSES_TEXT_EVENTS,
  TOOL_INPUT,
  type ToolKind,
} from './streamed-text-fields.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class SseMaskingRewriter {
  readonly #api: LlmApi;
  readonly #masker: PayloadMasker;
  readonly #connection: string;
  readonly #reader = new SseEventReader();
  readonly #streams = new Map<string, StreamTextMasker>();
  /** The delta type of each Anthropic content block whose text is held (text_delta, thinking_delta). */
  readonly #deltaTypes = new Map<string, string>();
  /** Whether each chat tool call streams as a function or a free-form (custom) tool. */
  readonly #toolKinds = new Map<string, ToolKind>();
  #out = '';

  constructor(api: LlmApi, masker: PayloadMasker, connection: string) {
    this.#api = api;
    this.#masker = masker;
    this.#connection = connection;
  }

  /** Feeds upstream bytes; returns the rewritten SSE text to send now (possibly empty). */
  push(chunk: Uint8Array): string {
    let out = '';
    for (const item of this.#reader.push(chunk))
      out += 'event' in item ? this.rewrite(item.event) : SSE_KEEP_ALIVE;
    return out;
  }

  /** Rewrites one event read from the stream; returns the SSE text to send in its place. */
  rewrite(event: EventSourceMessage): string {
    this.#onEvent(event);
    const out = this.#out;
    this.#out = '';
    return out;
  }

  #stream(key: string): StreamTextMasker {
    let s = this.#streams.get(key);
    if (!s) {
      // Masked as the recorded copy masks the text: secret-named fields (`.env` lines, YAML, a
      // tool call's JSON arguments) included, which the text rules alone do not know.
      s = this.#masker.createValueStreamMasker(this.#connection);
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
    // Masked data that is not JSON may span lines: each is a data line of its own.
    this.#out += sseEventText(event, data);
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
      if (!isObj(raw)) return this.#maskValue('choices', raw);
      const at = `choice:${typeof raw.index === 'number' ? raw.index : 0}`;
      // Whatever else a choice carries (a provider's own fields) is masked whole.
      const choice = this.#maskRest(raw, isObj(raw.delta) ? ['text', 'delta'] : ['text']);
      // Logprobs spell the text token by token, one chunk at a time: a secret cut across chunks is
      // in no one chunk's tokens to be masked, so a masked stream's logprobs are withheld.
      if ('logprobs' in choice && choice.logprobs !== null) choice.logprobs = null;
      const closes = typeof raw.finish_reason === 'string';
      // Completions stream `text`; a chat choice that closes without a delta still releases its held text.
      const text = this.#field(`${at}:text`, 'text', raw.text, closes);
      if (text !== undefined) choice.text = text;
      const openChat = closes && [...this.#streams.keys()].some((k) => k.startsWith(`${at}:delta`));
      if (isObj(raw.delta) || openChat) {
        const delta: Obj = isObj(raw.delta) ? { ...raw.delta } : {};
        for (const field of CHAT_TEXT_FIELDS) {
          const value = this.#field(`${at}:delta:${field}`, field, delta[field], closes);
          if (value !== undefined) delta[field] = value;
        }
        if (Array.isArray(delta.tool_calls) || closes) {
          delta.tool_calls = this.#toolCalls(at, delta.tool_calls, closes);
          if (
            (delta.tool_calls as unknown[]).length === 0 &&
            !(isObj(raw.delta) && Array.isArray(raw.delta.tool_calls))
          ) {
            delete delta.tool_calls;
          }
        }
        // The legacy function_call (a request with `functions`) streams its arguments as a tool call does.
        if (isObj(delta.function_call) || (closes && this.#streams.has(`${at}:delta:function_call`))) {
          const call: Obj = isObj(delta.function_call) ? { ...delta.function_call } : {};
          const args = this.#field(`${at}:delta:function_call`, 'arguments', call.arguments, closes);
          if (args !== undefined) call.arguments = args;
          delta.function_call = this.#maskRest(call, ['arguments']);
        }
        choice.delta = this.#maskRest(delta, [...CHAT_TEXT_FIELDS, 'tool_calls', 'function_call']);
      }
      return choice;
    });
    this.#emit(event, JSON.stringify({ ...this.#maskRest(data, ['choices']), choices: rewritten }));
  }

  /**
   * A chat delta's tool calls: each call's input arrives in pieces (a function's `arguments`, a
   * free-form tool's `custom.input`) and is masked as one text per call; the rest of each call is
   * masked whole. At the choice's close, a call whose held text is released but that sent nothing
   * in this chunk is added with just its index and the rest, in the place its pieces came in.
   */
  #toolCalls(at: string, calls: unknown, closes: boolean): unknown[] {
    const out: unknown[] = [];
    const seen = new Set<number>();
    for (const raw of Array.isArray(calls) ? calls : []) {
      if (!isObj(raw)) {
        out.push(raw);
        continue;
      }
      const index = typeof raw.index === 'number' ? raw.index : 0;
      seen.add(index);
      const key = `${at}:delta:tool:${index}`;
      const kind = isObj(raw.function) ? 'function' : isObj(raw.custom) ? 'custom' : this.#toolKinds.get(key);
      const call = this.#maskRest(raw, ['function', 'custom', 'index']);
      const tool = kind !== undefined && isObj(raw[kind]) ? { ...(raw[kind] as Obj) } : null;
      if (kind !== undefined && tool) {
        this.#toolKinds.set(key, kind);
        const field = TOOL_INPUT[kind];
        const input = this.#field(key, field, tool[field], closes);
        if (input !== undefined) tool[field] = input;
        call[kind] = this.#maskRest(tool, [field]);
      } else if (closes) {
        const rest = this.#flush(key);
        if (rest) call[kind ?? 'function'] = { [TOOL_INPUT[kind ?? 'function']]: rest };
      }
      if (closes) this.#toolKinds.delete(key);
      out.push(call);
    }
    if (closes) {
      for (const key of [...this.#streams.keys()].filter((k) => k.startsWith(`${at}:delta:tool:`))) {
        const index = Number(key.slice(`${at}:delta:tool:`.length));
        if (seen.has(index)) continue;
        const kind = this.#toolKinds.get(key) ?? 'function';
        this.#toolKinds.delete(key);
        const rest = this.#flush(key);
        if (rest) out.push({ index, [kind]: { [TOOL_INPUT[kind]]: rest } });
      }
    }
    return out;
  }

  #anthropic(event: EventSourceMessage, data: Obj): void {
    const key = `block:${typeof data.index === 'number' ? data.index : 0}`;
    // The model's words arrive in pieces in three kinds of delta (text, thinking, a tool call's
    // input as JSON text), and a secret may be cut across any two of them.
    const delta = isObj(data.delta) ? data.delta : null;
    const field = typeof delta?.type === 'string' ? ANTHROPIC_DELTA_TEXT[delta.type] : undefined;
    if (data.type === 'content_block_delta' && delta && field) {
      this.#deltaTypes.set(key, delta.type as string);
      const text = this.#stream(key).push(String(delta[field] ?? ''));
      // Only the streamed text is kept out of whole-value masking; the rest of the event is masked.
      const rest = {
        ...this.#maskRest(data, ['delta']),
        delta: { ...this.#maskRest(delta, [field]), [field]: text },
      };
      this.#emit(event, JSON.stringify(rest));
      return;
    }
    if (data.type === 'content_block_stop') {
      const rest = this.#flush(key);
      const type = this.#deltaTypes.get(key) ?? 'text_delta';
      this.#deltaTypes.delete(key);
      if (rest) {
        const closing = {
          type: 'content_block_delta',
          index: data.index,
          delta: { type, [ANTHROPIC_DELTA_TEXT[type] ?? 'text']: rest },
        };
        this.#emit({ ...event, event: 'content_block_delta' }, JSON.stringify(closing));
      }
    }
    this.#emit(event, JSON.stringify(this.#masker.maskPayload(data as JsonObject, this.#connection)));
  }

  #responses(event: EventSourceMessage, data: Obj): void {
    const type = typeof data.type === 'string' ? data.type : '';
    const family = RESPONSES_TEXT_EVENTS.find((f) => type === `${f}.delta` || type === `${f}.done`);
    if (family !== undefined) {
      const key = `item:${String(data.item_id ?? data.output_index ?? 0)}:${String(data.content_index ?? data.summary_index ?? 0)}:${family}`;
      if (type === `${family}.delta`) {
        // The rest of a delta is masked whole, its logprobs withheld as a chat stream's are.
        const rest = this.#maskRest(data, ['delta']);
        if (Array.isArray(data.logprobs)) rest.logprobs = [];
        rest.delta = this.#stream(key).push(String(data.delta ?? ''));
        this.#emit(event, JSON.stringify(rest));
        return;
      }
      const rest = this.#flush(key);
      if (rest) {
        // Only the fields a delta has: the done event also carries the whole text, unmasked.
        const closing: Obj = { type: `${family}.delta` };
        for (const k of DELTA_PLACE) if (data[k] !== undefined) closing[k] = data[k];
        closing.delta = rest;
        this.#emit({ ...event, event: `${family}.delta` }, JSON.stringify(closing));
      }
    }
    // A done or completed event carries whole texts with their logprobs: tokens masked as the text is.
    const tokensMasked = maskLogprobs(data as JsonObject, (t) => this.#masker.maskText(t, this.#connection));
    this.#emit(event, JSON.stringify(this.#masker.maskPayload(tokensMasked, this.#connection)));
  }

  /** Streams `text` (when it is a string) through the stream `key`; at the close, adds what it held back. */
  #piece(key: string, text: unknown, closes: boolean): string {
    const pushed = typeof text === 'string' ? this.#stream(key).push(text) : '';
    return pushed + (closes ? this.#flush(key) : '');
  }

  /**
   * A field whose text arrives in pieces, as the client gets it: a string through the stream `key`;
   * an array of content parts (some OpenAI-compatible servers stream `content` so) with each part's
   * text through that same stream, as a reader joins them; any other value masked whole, never
   * passed on as it came. At the close, the held text is added to the last text. Undefined when
   * the field is absent and nothing is held.
   */
  #field(key: string, name: string, value: unknown, closes: boolean): unknown {
    if (Array.isArray(value)) {
      const parts = value.map((part) =>
        isObj(part) && typeof part.text === 'string'
          ? { ...this.#maskRest(part, ['text']), text: this.#stream(key).push(part.text) }
          : this.#maskValue(name, part),
      );
      const rest = closes ? this.#flush(key) : '';
      if (rest !== '') {
        const last = parts.findLast((p): p is Obj => isObj(p) && typeof p.text === 'string');
        if (last) last.text += rest;
        else parts.push({ type: 'text', text: rest });
      }
      return parts;
    }
    if (value !== undefined && typeof value !== 'string') {
      // A shape no reader joins with the text before it: masked whole. Text held back before it
      // would have no place here, so a stream that switches shapes loses that much, never leaks it.
      if (closes) this.#flush(key);
      return this.#maskValue(name, value);
    }
    const masked = this.#piece(key, value, closes);
    return typeof value === 'string' || masked !== '' ? masked : undefined;
  }

  /** Masks one value as the masker would inside an object, under its own field name. */
  #maskValue(name: string, value: unknown): unknown {
    return (this.#masker.maskPayload({ [name]: value } as JsonObject, this.#connection) as Obj)[name];
  }

  /** Masks every field of an object except those handled as streams (kept as they are). */
  #maskRest(obj: Obj, except: readonly string[]): Obj {
    // Null-prototype objects: a streamed event's own `__proto__` field is a field like any other,
    // kept for the client as the record keeps it (on `{}` the assignment would set the prototype).
    const rest: Obj = Object.create(null);
    const kept: Obj = Object.create(null);
    for (const [k, v] of Object.entries(obj)) {
      if (except.includes(k)) kept[k] = v;
      else rest[k] = v;
    }
    const masked = this.#masker.maskPayload(rest as JsonObject, this.#connection) as Obj;
    return { ...masked, ...kept };
  }
}
