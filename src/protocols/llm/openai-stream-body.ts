// An OpenAI completion rebuilt from its stream, as the same request unstreamed would have returned
// it: for chat, each choice's message (content, refusal, reasoning, tool calls, the legacy
// function_call, search annotations, an audio answer); for a text completion, each choice's text;
// with its logprobs and finish reason, and the usage. The ledger keeps it as a streamed response's
// body, so what a stream delivered is in the record whole, and the record's choices are read from
// it as from an unstreamed body. Read defensively: the chunks come from the upstream.
import { setOwn } from '../../core/own-property.js';
import { contentText } from './choices.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Message fields whose text arrives in pieces, concatenated as they come. */
const TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;
/** Chunk fields that describe the whole response, kept from the first chunk that has them. */
const HEAD_FIELDS = ['id', 'created', 'model', 'system_fingerprint', 'service_tier'] as const;

interface ChoiceDraft {
  /** A chat choice's message. */
  readonly message: Obj;
  /** A text completion choice's text. */
  text: string;
  readonly toolCalls: Map<number, Obj>;
  logprobs: Obj | null;
  finishReason: unknown;
}

/** An index a reader files an item under as an array slot: a whole number from 0. */
const isSlot = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A name or id given again where one was given already, the same or not: readers replace it or append to it. */
const repeats = (before: unknown, again: unknown): boolean =>
  typeof before === 'string' && before !== '' && typeof again === 'string' && again !== '';

/** Whether a streamed choice carries any of the answer: text, a tool call, audio, logprobs. */
function carriesWords(choice: Obj): boolean {
  if (typeof choice.text === 'string' && choice.text !== '') return true;
  if (isObj(choice.logprobs)) return true;
  if (!isObj(choice.delta)) return false;
  return Object.entries(choice.delta).some(
    ([key, value]) =>
      key !== 'role' &&
      value !== null &&
      value !== undefined &&
      value !== '' &&
      !(Array.isArray(value) && value.length === 0),
  );
}

/** Which of OpenAI's two completion APIs a stream answers. */
export type OpenAiCompletionKind = 'chat' | 'text';

export class OpenAiCompletionBuilder {
  readonly #kind: OpenAiCompletionKind;
  readonly #head: Obj = {};
  readonly #choices = new Map<number, ChoiceDraft>();
  #usage: unknown = undefined;
  #seen = false;

  constructor(kind: OpenAiCompletionKind) {
    this.#kind = kind;
  }

  /**
   * Why a chunk would be read otherwise by the stream's readers than by the record (null: it would
   * not), checked before it is taken. The openai SDK's helper files each choice and tool call
   * under its `index` as an array slot (a missing, negative or fractional index is no slot it
   * returns; "1" is slot 1), where a plain reader takes `choices[0]` of each chunk; a choice or call
   * named twice in one chunk is read once by one and twice by the other. The TypeScript helper
   * replaces a tool call's `id` and `name` when they come again, the Python one appends them. And
   * words after a choice's finish_reason follow an end that a reader, and the masker toward the
   * client, took as the end of that choice's text.
   */
  unreadable(chunk: Obj): string | null {
    const seen = new Set<number>();
    for (const raw of list(chunk.choices)) {
      if (!isObj(raw) || !isSlot(raw.index)) return 'a streamed choice has no valid index';
      if (seen.has(raw.index)) return `choice ${raw.index} came twice in one chunk`;
      seen.add(raw.index);
      const choice = this.#choices.get(raw.index);
      if (choice && choice.finishReason !== null && carriesWords(raw)) {
        return `choice ${raw.index} went on after its finish_reason`;
      }
      const delta = isObj(raw.delta) ? raw.delta : {};
      const calls = new Set<number>();
      for (const call of list(delta.tool_calls)) {
        if (!isObj(call) || !isSlot(call.index))
          return `a tool call of choice ${raw.index} has no valid index`;
        if (calls.has(call.index)) return `tool call ${call.index} came twice in one chunk`;
        calls.add(call.index);
        const before = choice?.toolCalls.get(call.index);
        if (before && repeats(before.id, call.id)) return `tool call ${call.index} was given a second id`;
        for (const kind of ['function', 'custom'] as const) {
          const tool = call[kind];
          if (
            before &&
            isObj(tool) &&
            isObj(before[kind]) &&
            repeats((before[kind] as Obj).name, tool.name)
          ) {
            return `tool call ${call.index} was given a second name`;
          }
        }
      }
      const legacy = choice?.message.function_call;
      if (isObj(legacy) && isObj(delta.function_call) && repeats(legacy.name, delta.function_call.name)) {
        return `choice ${raw.index}'s function_call was given a second name`;
      }
    }
    return null;
  }

  /** Takes one parsed chunk. */
  push(chunk: Obj): void {
    this.#seen = true;
    for (const field of HEAD_FIELDS) {
      if (this.#head[field] === undefined && chunk[field] !== undefined && chunk[field] !== null) {
        this.#head[field] = chunk[field];
      }
    }
    if (isObj(chunk.usage)) this.#usage = chunk.usage;
    for (const raw of list(chunk.choices)) {
      if (!isObj(raw)) continue;
      const choice = this.#choice(typeof raw.index === 'number' ? raw.index : 0);
      if (typeof raw.finish_reason === 'string') choice.finishReason = raw.finish_reason;
      if (isObj(raw.logprobs)) this.#logprobs(choice, raw.logprobs);
      if (typeof raw.text === 'string') choice.text += raw.text;
      if (isObj(raw.delta)) this.#delta(choice, raw.delta);
    }
  }

  /** The completion so far, or null before any chunk. */
  body(): Obj | null {
    if (!this.#seen) return null;
    const drafts = [...this.#choices.entries()].sort(([a], [b]) => a - b);
    if (this.#kind === 'text') {
      const choices = drafts.map(([index, c]) => ({
        text: c.text,
        index,
        logprobs: c.logprobs,
        finish_reason: c.finishReason ?? null,
      }));
      return this.#whole('text_completion', choices);
    }
    const choices = drafts.map(([index, c]) => {
      const message: Obj = { ...c.message };
      if (c.toolCalls.size > 0) {
        message.tool_calls = [...c.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
      }
      return { index, message, logprobs: c.logprobs, finish_reason: c.finishReason ?? null };
    });
    return this.#whole('chat.completion', choices);
  }

  #whole(object: string, choices: readonly Obj[]): Obj {
    return { ...this.#head, object, choices, ...(this.#usage !== undefined ? { usage: this.#usage } : {}) };
  }

  #choice(index: number): ChoiceDraft {
    let c = this.#choices.get(index);
    if (!c) {
      c = {
        message: { role: 'assistant', content: null },
        text: '',
        toolCalls: new Map(),
        logprobs: null,
        finishReason: null,
      };
      this.#choices.set(index, c);
    }
    return c;
  }

  #delta(choice: ChoiceDraft, delta: Obj): void {
    const { message } = choice;
    if (typeof delta.role === 'string') message.role = delta.role;
    for (const field of TEXT_FIELDS) {
      // Content is a string, or with some servers an array of parts whose text is what is shown.
      const piece =
        field === 'content' && Array.isArray(delta.content) ? contentText(delta.content) : delta[field];
      if (typeof piece === 'string') message[field] = str(message[field]) + piece;
    }
    for (const raw of list(delta.tool_calls)) {
      if (isObj(raw)) this.#toolCall(choice, raw);
    }
    if (isObj(delta.function_call)) {
      const call = isObj(message.function_call) ? message.function_call : { name: '', arguments: '' };
      call.name = str(call.name) + str(delta.function_call.name);
      call.arguments = str(call.arguments) + str(delta.function_call.arguments);
      message.function_call = call;
    }
    if (Array.isArray(delta.annotations)) {
      message.annotations = [...list(message.annotations), ...delta.annotations];
    }
    if (isObj(delta.audio)) {
      const audio: Obj = isObj(message.audio) ? message.audio : {};
      for (const [key, value] of Object.entries(delta.audio)) {
        // setOwn: a key named __proto__ the client reads must stay in the record (own-property.ts).
        setOwn(audio, key, key === 'transcript' || key === 'data' ? str(audio[key]) + str(value) : value);
      }
      message.audio = audio;
    }
  }

  /** A tool call's pieces: its id and type once, a function's name and arguments or a custom tool's input appended. */
  #toolCall(choice: ChoiceDraft, raw: Obj): void {
    const index = typeof raw.index === 'number' ? raw.index : 0;
    const call = choice.toolCalls.get(index) ?? {};
    choice.toolCalls.set(index, call);
    if (typeof raw.id === 'string') call.id = raw.id;
    if (typeof raw.type === 'string') call.type = raw.type;
    for (const kind of ['function', 'custom'] as const) {
      const piece = raw[kind];
      if (!isObj(piece)) continue;
      const tool: Obj = isObj(call[kind]) ? (call[kind] as Obj) : {};
      for (const [key, value] of Object.entries(piece)) {
        setOwn(
          tool,
          key,
          key === 'name' || key === 'arguments' || key === 'input' ? str(tool[key]) + str(value) : value,
        );
      }
      call[kind] = tool;
    }
  }

  #logprobs(choice: ChoiceDraft, logprobs: Obj): void {
    const out: Obj = choice.logprobs ?? {};
    for (const [key, value] of Object.entries(logprobs)) {
      setOwn(out, key, Array.isArray(value) ? [...list(out[key]), ...value] : value);
    }
    choice.logprobs = out;
  }
}
