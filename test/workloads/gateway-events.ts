// Until the gateway records the workloads, this adapter does what it would: it sits in the openai
// client's `fetch`, and turns each chat call into llm.request / llm.response StoredEvents shaped
// exactly like src/core/llm-payloads.ts (the request body as sent, x-vigil-parent, traceparent,
// choices with text and tool calls, the full response body).
import type { Identity, JsonObject, StoredEvent } from '../../src/core/events.js';
import type { LlmChoice, LlmRequestPayload, LlmResponsePayload } from '../../src/core/llm-payloads.js';

export const WORKLOAD_IDENTITY: Identity = { subject: 'alice@example.com', kind: 'user', groups: ['ai-eng'] };
const START = Date.parse('2025-01-01T00:00:00.000Z');

export class GatewayEventRecorder {
  readonly events: StoredEvent[] = [];
  readonly #sessionId: string;
  #requests = 0;

  readonly #upstream: typeof fetch;

  /** `upstream` answers the calls: the network by default, an in-process model in benchmarks. */
  constructor(sessionId = 'ses_workload', upstream: typeof fetch = fetch) {
    this.#sessionId = sessionId;
    this.#upstream = upstream;
  }

  /** Appends an event of this session at the next seq; times advance 10 ms per event. */
  append(
    type: StoredEvent['type'],
    payload: JsonObject,
    sessionId = this.#sessionId,
    connection = 'openai',
  ): StoredEvent {
    const seq = this.events.filter((e) => e.sessionId === sessionId).length;
    const event: StoredEvent = {
      type,
      sessionId,
      connection,
      identity: WORKLOAD_IDENTITY,
      time: new Date(START + this.events.length * 10).toISOString(),
      payload,
      seq,
      index: this.events.length,
      payloadHash: '0'.repeat(64),
      prevHash: '0'.repeat(64),
      hash: '0'.repeat(64),
    };
    this.events.push(event);
    return event;
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    const body = JSON.parse(String(init?.body ?? 'null')) as JsonObject;
    const requestId = `req_${String(++this.#requests).padStart(6, '0')}`;
    const traceparent = headers.get('traceparent')?.split('-');
    const request: LlmRequestPayload = {
      requestId,
      api: 'openai.chat',
      method: init?.method ?? 'POST',
      path: url.pathname,
      model: typeof body.model === 'string' ? body.model : null,
      stream: body.stream === true,
      n: typeof body.n === 'number' ? body.n : 1,
      body,
      parent: headers.get('x-vigil-parent'),
      trace:
        traceparent && traceparent.length === 4
          ? { traceId: traceparent[1]!, parentSpanId: traceparent[2]! }
          : null,
      // The recorder stands in for a gateway without sockets; the gateway tests record real ones.
      clientConnection: null,
    };
    this.append('llm.request', request);
    const started = Date.now();
    const response = await this.#upstream(input, init);
    const json = (await response.clone().json()) as JsonObject;
    const choices: LlmChoice[] = (Array.isArray(json.choices) ? json.choices : []).map((raw) => {
      const c = raw as {
        index: number;
        finish_reason: string | null;
        message: {
          content: string | null;
          tool_calls?: { id: string; function: { name: string; arguments: string } }[];
        };
      };
      return {
        index: c.index,
        text: c.message.content ?? '',
        reasoning: '',
        finishReason: c.finish_reason,
        toolCalls: (c.message.tool_calls ?? []).map((t) => ({
          id: t.id,
          name: t.function.name,
          arguments: t.function.arguments,
        })),
      };
    });
    const payload: LlmResponsePayload = {
      requestId,
      status: response.status,
      stream: false,
      choices,
      usage: json.usage ?? null,
      ttftMs: null,
      durationMs: Date.now() - started,
      body: json,
      bodyText: null,
      error: null,
      partial: false,
      providerId: typeof json.id === 'string' ? json.id : null,
      upstreamRequestId: response.headers.get('x-request-id'),
    };
    this.append('llm.response', payload);
    return response;
  };
}
