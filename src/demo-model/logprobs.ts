// Logprobs as the OpenAI APIs give them when asked: a text completion's `logprobs: N` (parallel
// lists of tokens, their logprobs, maps of up to N alternatives, and offsets into the text), and the
// Responses API's `include: ["message.output_text.logprobs"]` (a list of `{token, logprob, …}` on
// each output text and each of its deltas). The stand-in is sure of every token it writes: each has
// the same logprob, and its only alternative is itself.
import type { Body } from './prompt-fields.js';

const LOGPROB = -0.0001;

/** The `logprobs` a completion request asks for (0 to 5 alternatives), or null for none. */
export function completionLogprobsWanted(body: Body): number | null {
  const n = body.logprobs;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? Math.min(n, 5) : null;
}

/** A completion choice's (or chunk's) logprobs for `tokens`, the first starting at `offset` in the text. */
export function completionLogprobs(tokens: readonly string[], alternatives: number, offset: number) {
  const offsets: number[] = [];
  let at = offset;
  for (const token of tokens) {
    offsets.push(at);
    at += token.length;
  }
  return {
    tokens: [...tokens],
    token_logprobs: tokens.map(() => LOGPROB),
    top_logprobs: tokens.map((t) => (alternatives > 0 ? { [t]: LOGPROB } : {})),
    text_offset: offsets,
  };
}

/** Whether a Responses request includes the output text's logprobs. */
export function responsesLogprobsWanted(body: Body): boolean {
  return Array.isArray(body.include) && body.include.includes('message.output_text.logprobs');
}

/** A Responses output text's logprobs, as its parts (with bytes) or its deltas (without) carry them. */
export function responsesLogprobs(tokens: readonly string[], withBytes: boolean) {
  return tokens.map((token) => ({
    token,
    ...(withBytes ? { bytes: [...Buffer.from(token, 'utf8')] } : {}),
    logprob: LOGPROB,
    top_logprobs: [],
  }));
}
