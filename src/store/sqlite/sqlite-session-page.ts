// Store.readSessionPage on SQLite: one page of a session in seq order, cut by count in the index
// and, when asked, by payload bytes in SQL, so that rows past the cut never become JavaScript objects.
import type Database from 'better-sqlite3';
import type { SessionPage, SessionPageRequest } from '../../core/ports.js';
import { EVENT_COLUMNS, type EventTuple, storedEventOf } from '../ledger-rows.js';
import { checkedPageRequest } from '../session-page-request.js';
import { rowOf } from './sqlite-event-source.js';

export function readSqliteSessionPage(
  db: Database.Database,
  sessionId: string,
  request: SessionPageRequest,
): SessionPage {
  const { afterSeq, limit, maxPayloadBytes } = checkedPageRequest(request);
  // The page's rows first (LIMIT in the index), then each one's bytes before it: the window never
  // runs over the rest of the session.
  const rows = (
    maxPayloadBytes === null
      ? db
          .prepare(
            `SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
          )
          .raw(true)
          .all(sessionId, afterSeq, limit)
      : db
          .prepare(
            `SELECT ${EVENT_COLUMNS} FROM (
               SELECT *, SUM(bytes) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) - bytes AS bytes_before
                 FROM (SELECT *, COALESCE(length(CAST(payload AS BLOB)), 0) AS bytes FROM events
                        WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?))
              WHERE bytes_before < ? ORDER BY seq`,
          )
          .raw(true)
          .all(sessionId, afterSeq, limit, maxPayloadBytes)
  ) as EventTuple[];
  const events = rows.map((t) => storedEventOf(rowOf(t)));
  const last = events.at(-1);
  if (!last) return { events, nextAfterSeq: null };
  const more = db
    .prepare('SELECT 1 FROM events WHERE session_id = ? AND seq > ? LIMIT 1')
    .get(sessionId, last.seq);
  return { events, nextAfterSeq: more ? last.seq : null };
}
