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

/** `event` as the client is to read it: named by what the record read it as. */
export function namedAsRead(api: LlmApi, event: EventSourceMessage): EventSourceMessage {
  if (api === 'openai.chat' || api === 'openai.completions')
    return event.event === undefined ? event : { ...event, event: undefined };
  if (api !== 'anthropic.messages' && api !== 'openai.responses') return event;
  let type: unknown;
  try {
    type = (JSON.parse(event.data) as { type?: unknown } | null)?.type;
  } catch {
    // Not JSON: every reader takes it as it is named ([DONE], an upstream's own error text).
    return event;
  }
  if (typeof type === 'string') return type === event.event ? event : { ...event, event: type };
  // A Responses event with no type: unnamed, read as data by both SDKs. An Anthropic one is read
  // as nothing by its SDK whatever its name, as by the record; `error` still stops both.
  return api === 'openai.responses' && event.event !== undefined ? { ...event, event: undefined } : event;
}
