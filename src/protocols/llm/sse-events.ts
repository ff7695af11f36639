// One reading of an upstream's event stream, shared by the record and the client. Clients parse SSE
// each their own way (the openai SDK decodes every line on its own, so a byte-order mark opening a
// line is dropped and the line read as data; the spec and Vigil's parser drop it only at the start
// of the stream), so bytes passed on as they came could tell a client words the ledger never read.
// Instead the events Vigil read are written out again in one plain form (`id:`, `event:`, one
// `data:` line per line of data, LF line ends) that every parser reads alike; what Vigil did not
// read as an event (an unknown field, an unfinished last event) never reaches the client. A
// comment becomes an empty one, so keep-alives still keep idle connections open.
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

/** What a chunk of the stream held: an event, or a comment (a keep-alive). */
export type SseItem = { readonly event: EventSourceMessage } | { readonly comment: true };

export class SseEventReader {
  readonly #parser: EventSourceParser;
  readonly #decoder = new TextDecoder();
  #items: SseItem[] = [];

  constructor() {
    this.#parser = createParser({
      onEvent: (event) => this.#items.push({ event }),
      onComment: () => this.#items.push({ comment: true }),
    });
  }

  /** Feeds upstream bytes; returns the events and comments they completed, in order. */
  push(chunk: Uint8Array): SseItem[] {
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    const items = this.#items;
    this.#items = [];
    return items;
  }
}

/**
 * An event in the plain form every SSE parser reads alike. The parser splits lines at CR, LF and
 * CRLF, so an id or event name holds none, and data read from a stream only the LFs it joined its
 * lines with; data a masker rewrote is split at any line end all the same.
 */
export function sseEventText(event: EventSourceMessage, data: string = event.data): string {
  let out = '';
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** An empty comment: keeps an idle connection open and carries nothing a client reads. */
export const SSE_KEEP_ALIVE = ':\n';

/**
 * Data that ends a stream. The openai SDKs (TypeScript and Python) stop at any data that starts
 * with `[DONE]`, so the record stops there too.
 */
export function isDoneMarker(data: string): boolean {
  return data.startsWith('[DONE]');
}
