// The name an event goes to the client under. SDKs pick what to read by the SSE event name, the
// record reads each event by its data: the Anthropic SDKs read only the names of Anthropic's
// events (`content_block_delta` and its kin) and skip the rest, so a delta sent under `event: ping`
// or a name of the upstream's own was recorded and never shown; the openai TypeScript SDK wraps the
// data of an event named `thread.…` as `{event, data}` and the Python SDK any name but `response.…`
// and `transcript.…`, so a chat chunk so named reached the caller as no chunk at all. Each event
// therefore goes out under the name the record read it by: its data's `type` (Anthropic, the
// Responses API), or no name (chat and text completions, which OpenAI streams unnamed).
import type { EventSourceMessage } from 'eventsource-parser';
import type { LlmApi } from '../../core/llm-payloads.js';

/** An event as the client is to read it, with its data as read to name it. */
export interface NamedEvent {
  readonly event: EventSourceMessage;
  /**
   * Present when the data was parsed to name the event: its value (undefined when it is not JSON),
   * so the record reads the same parse rather than parsing the data again.
   */
  readonly json?: { readonly value: unknown };
}

/** `event` as the client is to read it: named by what the record read it as. */
export function namedAsRead(api: LlmApi, event: EventSourceMessage): NamedEvent {
  if (api === 'openai.chat' || api === 'openai.completions')
    return { event: event.event === undefined ? event : { ...event, event: undefined } };
  if (api !== 'anthropic.messages' && api !== 'openai.responses') return { event };
  let value: unknown;
  try {
    value = JSON.parse(event.data);
  } catch {
    // Not JSON: every reader takes it as it is named ([DONE], an upstream's own error text).
    return { event, json: { value: undefined } };
  }
  const json = { value };
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type === 'string')
    return { event: type === event.event ? event : { ...event, event: type }, json };
  // A Responses event with no type: unnamed, read as data by both SDKs. An Anthropic one is read
  // as nothing by its SDK whatever its name, as by the record; `error` still stops both.
  const unnamed = api === 'openai.responses' && event.event !== undefined;
  return { event: unnamed ? { ...event, event: undefined } : event, json };
}
