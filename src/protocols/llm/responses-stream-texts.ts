// A Responses stream says each text twice or more: in pieces (`….delta`), whole when it is done
// (`….done`, `response.content_part.done`, `response.output_item.done`), and in the response the
// stream ends with (`response.completed` and its kin), which is what the ledger records. Clients
// read whichever they like: a plain reader prints the deltas, the openai SDK's `finalResponse()`
// returns the last response, its events hand over the done texts. So every reading of a text must
// agree with the one before it and with the final response; where one does not (deltas the final
// response lacks, for an item or part never announced, say), the stream is cut rather than let a
// client hold words the record does not.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSlot = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const at = (v: unknown, i: number): unknown => (Array.isArray(v) ? v[i] : undefined);

/**
 * Each family of events whose `.delta` carries a text in pieces: the field its done event and its
 * final item hold the whole text in, and where the text is in an output item (a part under
 * `content` or `summary`, or the item itself).
 */
const FAMILIES: Readonly<
  Record<string, { readonly field: string; readonly parts: 'content' | 'summary' | null }>
> = {
  'response.output_text': { field: 'text', parts: 'content' },
  'response.refusal': { field: 'refusal', parts: 'content' },
  'response.reasoning_text': { field: 'text', parts: 'content' },
  'response.reasoning_summary_text': { field: 'text', parts: 'summary' },
  'response.function_call_arguments': { field: 'arguments', parts: null },
  'response.custom_tool_call_input': { field: 'input', parts: null },
  'response.mcp_call_arguments': { field: 'arguments', parts: null },
  'response.code_interpreter_call_code': { field: 'code', parts: null },
};

/** The events that end a Responses stream with its whole response. */
export const RESPONSES_TERMINAL: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

interface Text {
  readonly family: string;
  readonly output: number;
  readonly part: number;
  value: string;
}

export class ResponsesStreamTexts {
  /** Every text read so far, by family, output index and part index. */
  readonly #texts = new Map<string, Text>();

  /** Takes one event; returns why it disagrees with what came before (null: it does not). */
  read(data: Obj): string | null {
    const type = typeof data.type === 'string' ? data.type : '';
    const dot = type.lastIndexOf('.');
    const family = type.slice(0, dot);
    const kind = FAMILIES[family];
    if (kind && (type.endsWith('.delta') || type.endsWith('.done'))) {
      const output = data.output_index;
      const part = kind.parts === 'summary' ? data.summary_index : (data.content_index ?? 0);
      if (!isSlot(output) || (kind.parts !== null && !isSlot(part)))
        return `a ${type} event has no valid index`;
      const key = `${family}:${output}:${kind.parts === null ? 0 : part}`;
      const known = this.#texts.get(key);
      const text = known ?? { family, output, part: kind.parts === null ? 0 : (part as number), value: '' };
      this.#texts.set(key, text);
      if (type.endsWith('.delta')) {
        text.value += typeof data.delta === 'string' ? data.delta : '';
        return null;
      }
      // A text given whole without pieces before it is that text from here on.
      if (!known) text.value = typeof data[kind.field] === 'string' ? (data[kind.field] as string) : '';
      return this.#settle(text, data[kind.field], type);
    }
    if (type === 'response.content_part.done' && isSlot(data.output_index) && isSlot(data.content_index)) {
      for (const text of this.#texts.values()) {
        const parts = FAMILIES[text.family]!.parts;
        if (parts === 'content' && text.output === data.output_index && text.part === data.content_index) {
          const said = this.#settle(
            text,
            isObj(data.part) ? data.part[FAMILIES[text.family]!.field] : undefined,
            type,
          );
          if (said !== null) return said;
        }
      }
      return null;
    }
    if (type === 'response.output_item.done' && isSlot(data.output_index)) {
      return this.#against(data.item, data.output_index, type);
    }
    if (RESPONSES_TERMINAL.has(type)) {
      const output = isObj(data.response) ? data.response.output : undefined;
      for (const text of this.#texts.values()) {
        const said = this.#against(at(output, text.output), text.output, type, text);
        if (said !== null) return said;
      }
    }
    return null;
  }

  /** Compares the texts read for one output item with that item as an event gives it whole. */
  #against(item: unknown, output: number, type: string, only?: Text): string | null {
    for (const text of only ? [only] : this.#texts.values()) {
      if (text.output !== output) continue;
      const { field, parts } = FAMILIES[text.family]!;
      const holder = parts === null ? item : isObj(item) ? at(item[parts], text.part) : undefined;
      const said = this.#settle(text, isObj(holder) ? holder[field] : undefined, type);
      if (said !== null) return said;
    }
    return null;
  }

  /** A text given whole: it must be the text read so far (a missing one is an empty text). */
  #settle(text: Text, whole: unknown, type: string): string | null {
    const value = typeof whole === 'string' ? whole : '';
    if (value !== text.value) {
      return `${type} gives output ${text.output}'s ${text.family.slice('response.'.length)} otherwise than the stream before it`;
    }
    return null;
  }
}
