// The query string of a model request. It is forwarded as sent and recorded in llm.request
// (`query`), but policy reads a request by its body: a parameter an upstream takes from the query
// (a LiteLLM- or vLLM-style proxy's `model`, a custom server's prompt, `_method`) would change what
// runs around every rule while the record showed a plain request. Vigil cannot know what an
// upstream reads there, so only the few parameters the official SDKs and Azure OpenAI send are
// forwarded, each once, as `name=value` with a value of plain characters (no escapes, so every
// parser reads it alike, and no room for text): anything else is refused (fail closed).

import { VigilError } from '../../core/errors.js';
import type { LlmApi } from '../../core/llm-payloads.js';

/** Azure OpenAI: `?api-version=2024-10-21`, set by the openai SDK's AzureOpenAI client on every call. */
const OPENAI = ['api-version'] as const;
/** The Anthropic SDK's `client.beta.*` calls: `?beta=true`. */
const ANTHROPIC = ['beta'] as const;

const ALLOWED: Readonly<Record<LlmApi, readonly string[]>> = {
  'openai.chat': OPENAI,
  'openai.completions': OPENAI,
  'openai.responses': OPENAI,
  'openai.embeddings': OPENAI,
  'openai.models': OPENAI,
  'anthropic.messages': ANTHROPIC,
  'anthropic.count_tokens': ANTHROPIC,
  // `client.models.list({limit, after_id, before_id})` pages through the models.
  'anthropic.models': [...ANTHROPIC, 'limit', 'after_id', 'before_id'],
};

/** A setting's value: a version, a flag, a number, a model id. */
const PLAIN_VALUE = /^[A-Za-z0-9._:~-]{1,128}$/;

/**
 * Throws protocol_violation unless `search` (as forwarded: '' or `?…`) holds only parameters
 * allowed for `api`, each once. The message names the allowed parameters, never the input.
 */
export function assertAllowedQuery(api: LlmApi, search: string): void {
  if (search === '') return;
  const allowed = ALLOWED[api];
  const seen = new Set<string>();
  for (const pair of search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw refused(allowed);
    const name = pair.slice(0, eq);
    if (!allowed.includes(name) || seen.has(name) || !PLAIN_VALUE.test(pair.slice(eq + 1))) {
      throw refused(allowed);
    }
    seen.add(name);
  }
}

function refused(allowed: readonly string[]): VigilError {
  return new VigilError(
    'protocol_violation',
    `the query may hold only ${allowed.join(', ')} (each once, a plain value) on this API: other parameters could change what the upstream runs unseen by policy, so Vigil does not forward them`,
    { details: { rule: 'query-parameter' } },
  );
}
