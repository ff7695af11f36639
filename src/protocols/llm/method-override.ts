// A model request that asks the upstream to run it as another method: POST /v1/chat/completions
// run as GET lists an organisation's stored completions, GET /v1/models/{id} run as DELETE deletes a
// fine-tuned model. The route table admits a method and path Vigil knows how to judge and record,
// so an override is refused (fail closed), as the http-api module refuses one. The headers and the
// query are read by src/http/method-override.ts; a model request's body always reaches the upstream
// labelled application/json, so only the JSON object's top-level names are read here.
import type { JsonValue } from '../../core/events.js';
import {
  headerOrQueryOverride,
  isMethodParam,
  methodOverrideRefused,
  otherMethod,
} from '../../http/method-override.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Throws method_override_refused when the request asks to be run as another method than `method`. */
export function assertNoMethodOverride(
  method: string,
  headers: Headers,
  search: string,
  body: JsonValue,
): void {
  if (headerOrQueryOverride(method, headers, search) !== null) throw methodOverrideRefused(method);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  for (const [name, value] of Object.entries(body)) {
    if (!isMethodParam(name)) continue;
    // A value that is no string is no method Vigil can compare: refused all the same.
    if (typeof value !== 'string' || otherMethod(method, value) !== null) throw methodOverrideRefused(method);
  }
}
