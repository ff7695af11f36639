// Which model API a request path names. Anything else on an LLM connection is refused: Vigil
// forwards only what it knows how to record.
import type { LlmApi } from '../../core/llm-payloads.js';

export type LlmFlavour = 'llm-openai' | 'llm-anthropic';

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly api: LlmApi;
}

const OPENAI_ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/v1\/chat\/completions$/, api: 'openai.chat' },
  { method: 'POST', pattern: /^\/v1\/completions$/, api: 'openai.completions' },
  { method: 'POST', pattern: /^\/v1\/responses$/, api: 'openai.responses' },
  { method: 'POST', pattern: /^\/v1\/embeddings$/, api: 'openai.embeddings' },
  { method: 'GET', pattern: /^\/v1\/models(\/[^/]+)?$/, api: 'openai.models' },
];

const ANTHROPIC_ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/v1\/messages$/, api: 'anthropic.messages' },
  { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/, api: 'anthropic.count_tokens' },
  { method: 'GET', pattern: /^\/v1\/models(\/[^/]+)?$/, api: 'anthropic.models' },
];

/** The API for a method and path (without the /c/<name> prefix and the query), or null. */
export function classifyLlmRoute(flavour: LlmFlavour, method: string, path: string): LlmApi | null {
  const routes = flavour === 'llm-openai' ? OPENAI_ROUTES : ANTHROPIC_ROUTES;
  return routes.find((r) => r.method === method && r.pattern.test(path))?.api ?? null;
}

/** APIs whose requests carry a JSON body. */
export function expectsJsonBody(api: LlmApi): boolean {
  return api !== 'openai.models' && api !== 'anthropic.models';
}
