// An llm.response payload as the gateway records it, for tests that build trees or re-runs from
// hand-made events.
import type { LlmChoice, LlmResponsePayload } from '../../src/core/llm-payloads.js';

/** A whole (non-streamed) 200 response; each choice's missing fields take their defaults (index: its place). */
export function recordedResponse(
  requestId: string,
  choices: readonly Partial<LlmChoice>[],
): LlmResponsePayload {
  return {
    requestId,
    status: 200,
    stream: false,
    choices: choices.map((c, index) => ({
      index,
      text: '',
      reasoning: '',
      finishReason: 'stop',
      toolCalls: [],
      ...c,
    })),
    usage: null,
    ttftMs: null,
    durationMs: 5,
    body: null,
    bodyText: null,
    error: null,
    partial: false,
    providerId: null,
    upstreamRequestId: null,
  };
}
