// A stream toward a client that reads the model's words as they came (no `mask_responses`) still
// never hands it a secret the gateway holds: each event is masked for the known secrets (the
// credential Vigil injected, the configured secrets) as it is written out. An event masked on its
// own misses a secret an upstream cuts across two deltas (`"sk-li"`, then `"ve-…"`), which the
// client's reader joins whole, so every text that arrives in pieces (a choice's content, reasoning,
// refusal, tool-call input; a content block's text, thinking or input JSON; a Responses item's
// text, arguments or code) runs through its own known-secrets stream masker. That masker holds
// back only a tail that begins a known secret's spelling (raw, JSON-escaped, or an escape still
// open), so an answer is delayed only where a delta ends so; the tail goes out with the next piece
// of the same text, or in a closing delta of its own when the choice, block, item or stream ends.
// Logprobs spell those texts again token by token (a chat choice's lists, a text completion's
// `tokens`, a Responses delta's `logprobs`): each list runs through a stream of its own too, and an
// event that gives a list whole (a Responses done event, the final response) has it masked as the
// text it spells.
// An event whose texts pass through unchanged is written out as it was read; only an event whose
// text was held or masked is written from its parsed JSON.
import type { EventSourceMessage } from 'eventsource-parser';
import type { LlmApi } from '../../core/llm-payloads.js';
import type { PayloadMasker, StreamTextMasker } from '../../core/ports.js';
import { maskLogprobs } from './logprob-masking.js';
import { sseEventText } from './sse-events.js';
import {
  ANTHROPIC_DELTA_TEXT,
  CHAT_TEXT_FIELDS,
  DELTA_PLACE,
  RESPONSES_TEXT_EVENTS,
  TOOL_INPUT,
  type ToolKind,
} from './streamed-text-fields.js';

type Obj = Record<string, unknown>;
type Masker = Pick<PayloadMasker, 'maskKnownSecrets' | 'createKnownSecretsMasker'>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The lists of a chat choice's logprobs, each spelling one of its texts token by token. */
const LOGPROB_LISTS = ['content', 'refusal'] as const;

/** A logprob entry given new text: its bytes follow, its alternatives are dropped. */
function retoken(entry: Obj, token: string): void {
  entry.token = token;
  if (Array.isArray(entry.bytes)) entry.bytes = [...Buffer.from(token, 'utf8')];
  if (Array.isArray(entry.top_logprobs)) entry.top_logprobs = [];
}

/** A logprob entry of Vigil's, for held tokens released where no entry of the upstream's is. */
function tokenEntry(token: string): Obj {
  return { token, logprob: 0, bytes: [...Buffer.from(token, 'utf8')], top_logprobs: [] };
}

/** A text completion's logprobs of Vigil's, for held tokens released where no token of the upstream's is. */
function completionTokens(token: string): Obj {
  return { tokens: [token], token_logprobs: [0], top_logprobs: [{}] };
}

/** Where a held text goes back when it is released by a closing delta of its own. */
type Place =
  | { readonly kind: 'chat'; readonly choice: number; readonly path: readonly string[] }
  | { readonly kind: 'tool'; readonly choice: number; readonly index: number; readonly tool: ToolKind }
  | { readonly kind: 'tokens'; readonly choice: number; readonly list: string }
  | { readonly kind: 'completion'; readonly choice: number }
  | { readonly kind: 'block'; readonly index: unknown; readonly type: string }
  | { readonly kind: 'item'; readonly family: string; readonly place: Obj; readonly tokens?: true };

interface Held {
  readonly stream: StreamTextMasker;
  place: Place;
}

export class KnownSecretsSseRewriter {
  readonly #api: LlmApi;
  readonly #masker: Masker;
  readonly #held = new Map<string, Held>();
  /** The last chat chunk's id, object, created and model: a closing chunk of Vigil's carries them. */
  #chunkHead: Obj = {};
  #changed = false;
  /** Closing events of Vigil's that go out before the event being rewritten. */
  #before = '';

  constructor(api: LlmApi, masker: Masker) {
    this.#api = api;
    this.#masker = masker;
  }

  /** The SSE text to send for one event read from the stream. */
  rewrite(event: EventSourceMessage): string {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return this.#plain(event);
    }
    if (!isObj(data)) return this.#plain(event);
    this.#changed = false;
    this.#before = '';
    let out: string;
    if (this.#api === 'anthropic.messages') out = this.#anthropic(event, data);
    else if (this.#api === 'openai.responses') out = this.#responses(event, data);
    else {
      if (this.#api === 'openai.chat' || this.#api === 'openai.completions') this.#openAi(data);
      out = this.#changed ? this.#plain(event, JSON.stringify(data)) : this.#plain(event);
    }
    return this.#before + out;
  }

  /**
   * Closing deltas for every text still held: sent before the stream's terminal event, or at its
   * end when it stops without one, so the client reads every word the record holds.
   */
  finish(): string {
    let out = '';
    for (const [key, held] of [...this.#held]) {
      this.#held.delete(key);
      const rest = held.stream.end();
      if (rest !== '') out += this.#closing(held.place, rest);
    }
    return out;
  }

  /** An event of Vigil's carrying a held text to its place: a chat chunk, a block's or an item's delta. */
  #closing(p: Place, rest: string): string {
    if (p.kind === 'block') return this.#blockDelta(p, rest);
    if (p.kind === 'item') return p.tokens ? this.#itemDelta(p, '', {}, rest) : this.#itemDelta(p, rest, {});
    const chunk = { ...this.#chunkHead, choices: [this.#chatPiece(p, rest)] };
    return this.#plain({ data: JSON.stringify(chunk) });
  }

  #plain(event: EventSourceMessage, data: string = event.data): string {
    return this.#masker.maskKnownSecrets(sseEventText(event, data));
  }

  /** Streams `text` through the held stream `key`; at the close, adds what it held and forgets it. */
  #pass(key: string, place: Place, text: string, closes: boolean): string {
    let held = this.#held.get(key);
    if (!held) {
      held = { stream: this.#masker.createKnownSecretsMasker(), place };
      this.#held.set(key, held);
    }
    held.place = place;
    let out = held.stream.push(text);
    if (closes) {
      out += held.stream.end();
      this.#held.delete(key);
    }
    if (out !== text) this.#changed = true;
    return out;
  }

  /** What is held for `key` and not yet sent, ending its stream ('' when nothing is held). */
  #release(key: string): string {
    const held = this.#held.get(key);
    if (!held) return '';
    this.#held.delete(key);
    const rest = held.stream.end();
    if (rest !== '') this.#changed = true;
    return rest;
  }

  /**
   * A field whose text arrives in pieces: a string, or (some OpenAI-compatible servers) an array of
   * parts whose texts a reader joins. Written back in `obj`; at the close, held text is added.
   */
  #field(obj: Obj, name: string, key: string, place: Place, closes: boolean): void {
    const value = obj[name];
    if (typeof value === 'string') {
      obj[name] = this.#pass(key, place, value, closes);
      return;
    }
    if (Array.isArray(value)) {
      let last: Obj | null = null;
      for (const part of value) {
        if (!isObj(part) || typeof part.text !== 'string') continue;
        part.text = this.#pass(key, place, part.text, false);
        last = part;
      }
      const rest = closes ? this.#release(key) : '';
      if (rest !== '') {
        if (last) last.text = `${last.text as string}${rest}`;
        else value.push({ type: 'text', text: rest });
      }
      return;
    }
    // Absent: the held text waits for the next piece, or goes out at the close. A value no reader
    // joins with the text before it (null, an object): the held text goes out just before it.
    if (value === undefined && !closes) return;
    const held = this.#held.get(key)?.place;
    const rest = this.#release(key);
    if (rest === '' || held === undefined) return;
    if (value === undefined || value === null) obj[name] = rest;
    else this.#before += this.#closing(held, rest);
  }

  #openAi(data: Obj): void {
    if (!Array.isArray(data.choices)) return;
    for (const k of ['id', 'object', 'created', 'model'] as const)
      if (data[k] !== undefined) this.#chunkHead[k] = data[k];
    for (const choice of data.choices) {
      if (!isObj(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const at = `choice:${index}`;
      const closes = typeof choice.finish_reason === 'string';
      if (typeof choice.text === 'string' || closes)
        this.#field(choice, 'text', `${at}:text`, { kind: 'chat', choice: index, path: ['text'] }, closes);
      this.#completionTokens(choice, `${at}:logprobs:tokens`, index, closes);
      const open = closes && [...this.#held.keys()].some((k) => k.startsWith(`${at}:delta`));
      if (!isObj(choice.delta) && !open) continue;
      const delta: Obj = isObj(choice.delta) ? choice.delta : {};
      for (const name of CHAT_TEXT_FIELDS)
        this.#field(
          delta,
          name,
          `${at}:delta:${name}`,
          { kind: 'chat', choice: index, path: ['delta', name] },
          closes,
        );
      if (Array.isArray(delta.tool_calls) || closes) this.#toolCalls(delta, at, index, closes);
      if (isObj(delta.function_call) || (closes && this.#held.has(`${at}:delta:function_call`))) {
        const call: Obj = isObj(delta.function_call) ? delta.function_call : {};
        const place: Place = { kind: 'chat', choice: index, path: ['delta', 'function_call', 'arguments'] };
        this.#field(call, 'arguments', `${at}:delta:function_call`, place, closes);
        if (!isObj(delta.function_call) && call.arguments !== undefined) delta.function_call = call;
      }
      if (!isObj(choice.delta) && Object.keys(delta).length > 0) choice.delta = delta;
      for (const list of LOGPROB_LISTS) this.#tokens(choice, list, `${at}:logprobs:${list}`, index, closes);
    }
  }

  /**
   * A text completion's logprobs spell its text as `tokens`, one chunk at a time, beside
   * `top_logprobs` maps whose keys are each token's alternatives: the tokens run through a stream
   * of their own as a chat list's do (until 7 December each chunk was masked alone, so a key cut
   * across chunks reached the client), and a token changed loses its alternatives.
   */
  #completionTokens(choice: Obj, key: string, index: number, closes: boolean): void {
    const logprobs = isObj(choice.logprobs) ? choice.logprobs : null;
    const tokens = logprobs && Array.isArray(logprobs.tokens) ? (logprobs.tokens as unknown[]) : null;
    if (tokens === null && !(closes && this.#held.has(key))) return;
    const top =
      logprobs && Array.isArray(logprobs.top_logprobs) ? (logprobs.top_logprobs as unknown[]) : null;
    const retokenAt = (i: number, token: string) => {
      tokens![i] = token;
      if (top && i < top.length) top[i] = {};
    };
    let last = -1;
    for (const [i, token] of (tokens ?? []).entries()) {
      if (typeof token !== 'string') continue;
      const next = this.#pass(key, { kind: 'completion', choice: index }, token, false);
      if (next !== token) retokenAt(i, next);
      last = i;
    }
    const rest = closes ? this.#release(key) : '';
    if (rest === '') return;
    if (last >= 0) retokenAt(last, `${tokens![last] as string}${rest}`);
    else choice.logprobs = { ...(logprobs ?? {}), ...completionTokens(rest) };
  }

  /** A Responses delta's logprobs: its tokens run through a stream of their own, as a chat list's do. */
  #deltaTokens(entries: unknown[], key: string, place: Extract<Place, { kind: 'item' }>): void {
    for (const entry of entries) {
      if (!isObj(entry) || typeof entry.token !== 'string') continue;
      const token = this.#pass(key, place, entry.token, false);
      if (token !== entry.token) retoken(entry, token);
    }
  }

  /**
   * A chat choice's logprobs spell its text again, token by token, one chunk at a time: each list's
   * tokens run through a stream of their own, so a key cut across two chunks' tokens is masked as
   * in the text. A token changed (held, masked, or carrying what was held) takes its new text and
   * bytes and loses its alternatives, which could spell what it held.
   */
  #tokens(choice: Obj, list: string, key: string, index: number, closes: boolean): void {
    const logprobs = isObj(choice.logprobs) ? choice.logprobs : null;
    const entries = logprobs && Array.isArray(logprobs[list]) ? (logprobs[list] as unknown[]) : null;
    if (entries === null && !(closes && this.#held.has(key))) return;
    const place: Place = { kind: 'tokens', choice: index, list };
    let last: Obj | null = null;
    for (const entry of entries ?? []) {
      if (!isObj(entry) || typeof entry.token !== 'string') continue;
      const token = this.#pass(key, place, entry.token, false);
      if (token !== entry.token) retoken(entry, token);
      last = entry;
    }
    const rest = closes ? this.#release(key) : '';
    if (rest === '') return;
    if (last) retoken(last, `${last.token as string}${rest}`);
    else if (entries) entries.push(tokenEntry(rest));
    else choice.logprobs = { ...(logprobs ?? {}), [list]: [tokenEntry(rest)] };
  }

  /** A chat delta's tool calls, each call's input a text of its own; at the close, every call's held text. */
  #toolCalls(delta: Obj, at: string, choice: number, closes: boolean): void {
    const calls: unknown[] = Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    const seen = new Set<number>();
    for (const call of calls) {
      if (!isObj(call)) continue;
      const index = typeof call.index === 'number' ? call.index : 0;
      seen.add(index);
      const key = `${at}:delta:tool:${index}`;
      const held = this.#held.get(key)?.place;
      const kind: ToolKind | undefined = isObj(call.function)
        ? 'function'
        : isObj(call.custom)
          ? 'custom'
          : held?.kind === 'tool'
            ? held.tool
            : undefined;
      if (kind === undefined) continue;
      const tool: Obj = isObj(call[kind]) ? (call[kind] as Obj) : {};
      this.#field(tool, TOOL_INPUT[kind], key, { kind: 'tool', choice, index, tool: kind }, closes);
      if (!isObj(call[kind]) && Object.keys(tool).length > 0) call[kind] = tool;
    }
    if (!closes) return;
    for (const [key, held] of [...this.#held]) {
      const p = held.place;
      if (p.kind !== 'tool' || p.choice !== choice || seen.has(p.index)) continue;
      const rest = this.#release(key);
      if (rest !== '') calls.push({ index: p.index, [p.tool]: { [TOOL_INPUT[p.tool]]: rest } });
    }
    if (calls.length > 0 && !Array.isArray(delta.tool_calls)) delta.tool_calls = calls;
  }

  /** A chat choice of a closing chunk of Vigil's, carrying one held text. */
  #chatPiece(p: Extract<Place, { kind: 'chat' | 'tool' | 'tokens' | 'completion' }>, rest: string): Obj {
    if (p.kind === 'tokens')
      return { index: p.choice, delta: {}, logprobs: { [p.list]: [tokenEntry(rest)] }, finish_reason: null };
    if (p.kind === 'completion')
      return { index: p.choice, text: '', logprobs: completionTokens(rest), finish_reason: null };
    if (p.kind === 'tool')
      return {
        index: p.choice,
        delta: { tool_calls: [{ index: p.index, [p.tool]: { [TOOL_INPUT[p.tool]]: rest } }] },
        finish_reason: null,
      };
    const choice: Obj = { index: p.choice, finish_reason: null };
    let at = choice;
    for (const name of p.path.slice(0, -1)) {
      const next: Obj = {};
      at[name] = next;
      at = next;
    }
    at[p.path.at(-1)!] = rest;
    return choice;
  }

  #anthropic(event: EventSourceMessage, data: Obj): string {
    const key = `block:${String(data.index ?? 0)}`;
    const delta = isObj(data.delta) ? data.delta : null;
    const field = typeof delta?.type === 'string' ? ANTHROPIC_DELTA_TEXT[delta.type] : undefined;
    if (data.type === 'content_block_delta' && delta && field && typeof delta[field] === 'string') {
      const place: Place = { kind: 'block', index: data.index, type: delta.type as string };
      delta[field] = this.#pass(key, place, delta[field] as string, false);
      return this.#changed ? this.#plain(event, JSON.stringify(data)) : this.#plain(event);
    }
    if (data.type === 'content_block_stop') {
      const held = this.#held.get(key)?.place;
      const rest = this.#release(key);
      if (rest !== '' && held?.kind === 'block') return this.#blockDelta(held, rest) + this.#plain(event);
    }
    return this.#plain(event);
  }

  /** An Anthropic content_block_delta of Vigil's, carrying a block's held text. */
  #blockDelta(p: Extract<Place, { kind: 'block' }>, rest: string): string {
    const data = {
      type: 'content_block_delta',
      index: p.index,
      delta: { type: p.type, [ANTHROPIC_DELTA_TEXT[p.type]!]: rest },
    };
    return this.#plain({ event: 'content_block_delta', id: undefined, data: JSON.stringify(data) });
  }

  #responses(event: EventSourceMessage, data: Obj): string {
    const type = typeof data.type === 'string' ? data.type : '';
    const family = RESPONSES_TEXT_EVENTS.find((f) => type === `${f}.delta` || type === `${f}.done`);
    if (family === undefined) return this.#wholeTokens(event, data);
    const key = `item:${String(data.item_id ?? data.output_index ?? 0)}:${String(data.content_index ?? data.summary_index ?? 0)}:${family}`;
    const place: Obj = {};
    for (const k of DELTA_PLACE) if (data[k] !== undefined) place[k] = data[k];
    if (type === `${family}.delta` && typeof data.delta === 'string') {
      data.delta = this.#pass(key, { kind: 'item', family, place }, data.delta, false);
      if (Array.isArray(data.logprobs))
        this.#deltaTokens(data.logprobs, `${key}:logprobs`, { kind: 'item', family, place, tokens: true });
      return this.#changed ? this.#plain(event, JSON.stringify(data)) : this.#plain(event);
    }
    const held = this.#held.get(key)?.place ?? this.#held.get(`${key}:logprobs`)?.place;
    const rest = this.#release(key);
    const tokens = this.#release(`${key}:logprobs`);
    // The done event carries the whole text, masked with the event: only the held piece is added.
    const closing =
      (rest !== '' || tokens !== '') && held?.kind === 'item'
        ? this.#itemDelta(held, rest, place, tokens)
        : '';
    return closing + this.#wholeTokens(event, data);
  }

  /**
   * An event that gives token lists whole (a done event's logprobs, the final response's): each is
   * masked as the text it spells, so a known secret cut across its tokens is masked as in the text.
   */
  #wholeTokens(event: EventSourceMessage, data: Obj): string {
    const masked = maskLogprobs(data, (text) => this.#masker.maskKnownSecrets(text));
    return masked === data ? this.#plain(event) : this.#plain(event, JSON.stringify(masked));
  }

  /** A Responses `.delta` event of Vigil's, carrying an item's held text and tokens, placed as `at` says. */
  #itemDelta(p: Extract<Place, { kind: 'item' }>, rest: string, at: Obj, tokens = ''): string {
    const data: Obj = { type: `${p.family}.delta`, ...p.place, ...at, delta: rest };
    if (tokens !== '') data.logprobs = [{ token: tokens, logprob: 0, top_logprobs: [] }];
    return this.#plain({ event: `${p.family}.delta`, id: undefined, data: JSON.stringify(data) });
  }
}
