// The WHERE clause of a session listing. Search matches the payload text as stored (JSON), so the
// needle is JSON-escaped first (quotes, backslashes), then LIKE's own wildcards and escape character
// are escaped: every character the user typed matches itself and nothing else.
import type { SessionFilter } from '../../core/ports.js';

export interface SessionQuery {
  readonly sql: string;
  readonly params: unknown[];
}

export const DEFAULT_SESSION_LIMIT = 100;

/** `%needle%` for ILIKE ... ESCAPE E'\\' (a backslash whatever standard_conforming_strings says): the payload text that contains `search` as typed. */
export function likePatternFor(search: string): string {
  const jsonEscaped = JSON.stringify(search).slice(1, -1);
  return `%${jsonEscaped.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function sessionListing(filter: SessionFilter): SessionQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.identity) where.push(`s.subject = ${param(filter.identity)}`);
  if (filter.identityKind) where.push(`(s.identity::jsonb ->> 'kind') = ${param(filter.identityKind)}`);
  if (filter.connection) where.push(`s.connection = ${param(filter.connection)}`);
  if (filter.since) where.push(`s.last_event_at >= ${param(filter.since)}`);
  if (filter.until) {
    const until = param(filter.until);
    where.push(
      filter.afterId === undefined
        ? `s.started_at < ${until}`
        : `(s.started_at < ${until} OR (s.started_at = ${until} AND s.id > ${param(filter.afterId)}))`,
    );
  }
  if (filter.search) {
    where.push(
      `EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id AND e.payload ILIKE ${param(likePatternFor(filter.search))} ESCAPE E'\\\\')`,
    );
  }
  const limit = param(filter.limit ?? DEFAULT_SESSION_LIMIT);
  return {
    sql: `SELECT s.* FROM sessions s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY s.started_at DESC, s.id LIMIT ${limit}`,
    params,
  };
}
