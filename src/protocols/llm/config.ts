// The connection types the model-endpoint module serves: OpenAI- and Anthropic-compatible HTTP.
import { z } from 'zod';
import { connectionBase, duration } from '../../core/config.js';
import { upstreamHeadersSchema } from '../../http/fixed-headers.js';

const llmConnection = {
  ...connectionBase,
  upstream: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  timeouts: z
    .strictObject({
      connect: duration.default(10_000),
      /** Until the upstream's response headers arrive. */
      headers: duration.default(300_000),
      /** Longest silence inside a response body (a stalled stream). */
      body: duration.default(300_000),
    })
    .default({ connect: 10_000, headers: 300_000, body: 300_000 }),
  /** Mask secrets in responses on their way to the client too (streams stay streams). */
  mask_responses: z.boolean().default(false),
  /** Headers set on every forwarded request, replacing the client's (`OpenAI-Project`, `anthropic-beta`). */
  upstream_headers: upstreamHeadersSchema,
};

export const LLM_CONNECTION_TYPES = {
  'llm-openai': z.strictObject({ type: z.literal('llm-openai'), ...llmConnection }),
  'llm-anthropic': z.strictObject({ type: z.literal('llm-anthropic'), ...llmConnection }),
} as const;

export type LlmConnectionConfig = z.output<(typeof LLM_CONNECTION_TYPES)[keyof typeof LLM_CONNECTION_TYPES]>;
