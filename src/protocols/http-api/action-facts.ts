// How an HTTP-API request reads to policy: `METHOD /path?query`, so a rule's `pattern` can review or
// deny by method and path (`^POST /admin/`), and, through the recorded text body, by content. Every
// other reading of the path an upstream might make (another case, no trailing slash, `;`
// parameters dropped, slashes merged, a format suffix stripped: path-rules.ts) is an alternate
// text, which deny, review and alert patterns are also matched against; so is a HEAD read as the
// GET an upstream runs for it, and the query with its values decoded. The target may ignore case,
// so restricting patterns are matched ignoring case too (ActionFacts.targetIgnoresCase).
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject } from '../../core/events.js';
import { looseReadings, methodReadings, withoutFormat } from './path-rules.js';

export function describeHttpAction(type: EventType, payload: JsonObject): ActionFacts | null {
  if (type !== 'http.request') return null;
  const method = typeof payload.method === 'string' ? payload.method : '';
  const path = typeof payload.path === 'string' ? payload.path : '';
  const query = typeof payload.query === 'string' ? payload.query : '';
  // The path a COPY or MOVE writes to (destination.ts) is another path the request acts on.
  const others = [payload.alternate_paths, payload.destination_paths].flatMap((list) =>
    Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [],
  );
  const loose = [path, ...others].flatMap(looseReadings);
  // Rails routes `/payouts.json` as `/payouts` (withoutFormat): a pattern anchored at the path's end
  // must hold it too.
  const paths = [...new Set([...loose, ...loose.map(withoutFormat).filter((p) => p !== null)])];
  const queries = [...new Set([query, decodedQuery(query)])];
  const texts = [
    ...new Set(
      methodReadings(method).flatMap((m) => paths.flatMap((p) => queries.map((q) => `${m} ${p}${q}`.trim()))),
    ),
  ];
  // Express and ASP.NET route ignoring case (path-rules.ts).
  return { ...NO_FACTS, text: texts[0]!, alternateTexts: texts.slice(1), targetIgnoresCase: true };
}

/**
 * The query as the upstream's parser reads its values: `+` a space and percent-escapes decoded, so
 * a pattern on `?format=csv` holds `?format=%63sv` too. Undecodable escapes are left as sent.
 */
function decodedQuery(query: string): string {
  const plus = query.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/%[0-9A-Fa-f]{2}/g, (e) => {
      try {
        return decodeURIComponent(e);
      } catch {
        return e;
      }
    });
  }
}
