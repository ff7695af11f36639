// How an HTTP-API request reads to policy: `METHOD /path?query`, so a rule's `pattern` can review or
// deny by method and path (`^POST /admin/`), and, through the recorded text body, by content.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject } from '../../core/events.js';

export function describeHttpAction(type: EventType, payload: JsonObject): ActionFacts | null {
  if (type !== 'http.request') return null;
  const method = typeof payload.method === 'string' ? payload.method : '';
  const path = typeof payload.path === 'string' ? payload.path : '';
  const query = typeof payload.query === 'string' ? payload.query : '';
  return { ...NO_FACTS, text: `${method} ${path}${query}`.trim() };
}
