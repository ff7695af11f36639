// An Anthropic message rebuilt from its stream, as the same request unstreamed would have returned
// it: every content block, with what the provider ran itself (web search and code execution
// results, its MCP connector's tool results) and citations. The ledger keeps it as a streamed
// response's body, so what a stream delivered is in the record whole, and the record's choices are
// read from it as from an unstreamed body, except that a tool's input is the JSON text that
// streamed (parsing and writing it again would change its spacing and its large numbers). Read
// defensively: the events come from the upstream.
import type { LlmChoice } from '../../core/llm-payloads.js';
import { ANTHROPIC_TOOL_BLOCKS, choicesFromBody } from './choices.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export class AnthropicMessageBuilder {
  #message: Obj | null = null;
  readonly #blocks = new Map<number, Obj>();
  /** A tool block's input as it arrives, JSON text in pieces. */
  readonly #inputs = new Map<number, string>();
  /** Each tool block's input text as it streamed, kept after the block is whole. */
  readonly #streamedInputs = new Map<number, string>();

  /** The block started last and not yet stopped: the one block a delta may add to. */
  #open: number | null = null;

  /**
   * Whether an event names a block out of the order Anthropic streams them in (each block started
   * at the next index, then its deltas, then its stop). Clients read such a stream differently:
   * the TypeScript and Python SDKs append a started block whatever its index and apply a delta to
   * the block at its index in that list, the Go SDK to the last block started, a hand-written client
   * to the block of that index. A block started twice at index 0 then showed the client text this
   * reading replaced, so no one reading can be the client's; such a stream is not relayed further.
   */
  outOfOrder(data: Obj): boolean {
    switch (data.type) {
      case 'content_block_start':
        return data.index !== this.#blocks.size || this.#open !== null;
      case 'content_block_delta':
      case 'content_block_stop':
        return data.index !== this.#open;
      default:
        return false;
    }
  }

  /** Takes one parsed stream event. */
  push(data: Obj): void {
    const index = typeof data.index === 'number' ? data.index : 0;
    switch (data.type) {
      case 'message_start':
        this.#message = isObj(data.message) ? { ...data.message } : {};
        break;
      case 'content_block_start':
        this.#blocks.set(index, isObj(data.content_block) ? { ...data.content_block } : {});
        this.#open = index;
        break;
      case 'content_block_delta':
        this.#delta(index, isObj(data.delta) ? data.delta : {});
        break;
      case 'content_block_stop':
        this.#finishInput(index);
        this.#open = null;
        break;
      case 'message_delta': {
        this.#message ??= {};
        const message = this.#message;
        if (isObj(data.delta)) Object.assign(message, data.delta);
        if (isObj(data.usage))
          message.usage = { ...(isObj(message.usage) ? message.usage : {}), ...data.usage };
        break;
      }
    }
  }

  /** The message so far (null before message_start): blocks in index order. */
  body(): Obj | null {
    if (this.#message === null) return null;
    for (const index of this.#inputs.keys()) this.#finishInput(index);
    return { ...this.#message, content: this.#ordered().map(([, block]) => block) };
  }

  /** The message's one choice (none before message_start), each tool call with its input as it streamed. */
  choices(): LlmChoice[] {
    const [choice] = choicesFromBody('anthropic.messages', this.body());
    if (!choice) return [];
    const streamed = this.#ordered()
      .filter(([, block]) => ANTHROPIC_TOOL_BLOCKS.has(str(block.type)))
      .map(([index]) => this.#streamedInputs.get(index));
    const toolCalls = choice.toolCalls.map((call, i) => {
      const text = streamed[i];
      return text === undefined || text === '' ? call : { ...call, arguments: text };
    });
    return [{ ...choice, toolCalls }];
  }

  #ordered(): [number, Obj][] {
    return [...this.#blocks.entries()].sort(([a], [b]) => a - b);
  }

  #delta(index: number, delta: Obj): void {
    let block = this.#blocks.get(index);
    if (!block) {
      block = {};
      this.#blocks.set(index, block);
    }
    switch (delta.type) {
      case 'text_delta':
        block.text = str(block.text) + str(delta.text);
        break;
      case 'thinking_delta':
        block.thinking = str(block.thinking) + str(delta.thinking);
        break;
      case 'signature_delta':
        block.signature = str(delta.signature);
        break;
      case 'input_json_delta':
        this.#inputs.set(index, (this.#inputs.get(index) ?? '') + str(delta.partial_json));
        this.#streamedInputs.set(index, (this.#streamedInputs.get(index) ?? '') + str(delta.partial_json));
        break;
      case 'citations_delta':
        block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        break;
    }
  }

  /** A tool block's input, parsed once it is whole; kept as text when it is not JSON. */
  #finishInput(index: number): void {
    const text = this.#inputs.get(index);
    if (text === undefined) return;
    this.#inputs.delete(index);
    const block = this.#blocks.get(index) ?? {};
    try {
      block.input = text === '' ? (block.input ?? {}) : JSON.parse(text);
    } catch {
      block.input = text;
    }
  }
}
