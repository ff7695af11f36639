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
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) return null;
  return path.split('/').every(isPlainSegment) ? route.api : null;
}

/** How many times a segment is decoded to see what an upstream that decodes more than once reads. */
const DECODINGS = 3;

/**
 * A path segment that every reading leaves one plain segment. The path goes on undecoded: the
 * gateway's URL parser resolves `%2e%2e` itself, but `%252e%252e`, `..%2F` and `..%5C` reached the
 * upstream as sent, and an upstream (or a proxy before it) that decodes once more reads them as
 * `..` and further segments, another path reached with the injected credential. A model id
 * (`ft:gpt-4o:org:x`, encoded by the SDKs as `ft%3Agpt-4o%3Aorg%3Ax`) is none of these.
 */
function isPlainSegment(segment: string): boolean {
  let reading = segment;
  for (let i = 0; i <= DECODINGS; i++) {
    if (isDotSegment(reading) || /[/\\\u0000-\u001f\u007f]/.test(reading)) return false;
    try {
      const next = decodeURIComponent(reading);
      if (next === reading) return true;
      reading = next;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * `.` or `..`, also with `;` parameters after it: Tomcat and Spring drop those before they apply dot
 * segments, so `GET /v1/models/..;` ran `GET /v1/` there, recorded as a model retrieved (until 6
 * December). No model id is one.
 */
function isDotSegment(reading: string): boolean {
  const bare = reading.replace(/;.*$/s, '');
  return bare === '.' || bare === '..';
}

/** APIs whose requests carry a JSON body. */
export function expectsJsonBody(api: LlmApi): boolean {
  return api !== 'openai.models' && api !== 'anthropic.models';
}
