// How an HTTP-API request reads to policy: `METHOD /path?query`, so a rule's `pattern` can review or
// deny by method and path (`^POST /admin/`), and, through the recorded text body, by content. Every
// other reading of the path an upstream might make (another case, no trailing slash, `;`
// parameters dropped, slashes merged: path-rules.ts) is an alternate text, which deny, review and
// alert patterns are also matched against.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject } from '../../core/events.js';
import { looseReadings } from './path-rules.js';

export function describeHttpAction(type: EventType, payload: JsonObject): ActionFacts | null {
  if (type !== 'http.request') return null;
  const method = typeof payload.method === 'string' ? payload.method : '';
  const path = typeof payload.path === 'string' ? payload.path : '';
  const query = typeof payload.query === 'string' ? payload.query : '';
  const others = Array.isArray(payload.alternate_paths)
    ? payload.alternate_paths.filter((p): p is string => typeof p === 'string')
    : [];
  const texts = [...new Set([path, ...others].flatMap(looseReadings))].map((p) =>
    `${method} ${p}${query}`.trim(),
  );
  return { ...NO_FACTS, text: texts[0]!, alternateTexts: texts.slice(1) };
}
