// Store.readSessionPage on PostgreSQL: one page of a session in seq order, cut by count in the index
// and, when asked, by payload bytes in SQL, so that rows past the cut never cross the wire.
import type pg from 'pg';
import type { SessionPage, SessionPageRequest } from '../../core/ports.js';
import { checkedPageRequest } from '../session-page-request.js';
import { EVENT_COLUMNS, type EventTuple, storedEvent } from './event-rows.js';

export async function readPostgresSessionPage(
  pool: pg.Pool,
  sessionId: string,
  request: SessionPageRequest,
): Promise<SessionPage> {
  const { afterSeq, limit, maxPayloadBytes } = checkedPageRequest(request);
  // The page's rows first (LIMIT in the index), then each one's bytes before it: the window never
  // runs over the rest of the session.
  const { rows } = await pool.query<EventTuple>(
    maxPayloadBytes === null
      ? {
          text: `SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
          values: [sessionId, afterSeq, limit],
          rowMode: 'array',
        }
      : {
          text: `SELECT ${EVENT_COLUMNS} FROM (
                   SELECT *, SUM(bytes) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) - bytes AS bytes_before
                     FROM (SELECT *, COALESCE(octet_length(payload), 0) AS bytes FROM events
                            WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3) AS page) AS counted
                  WHERE bytes_before < $4 ORDER BY seq`,
          values: [sessionId, afterSeq, limit, maxPayloadBytes],
          rowMode: 'array',
        },
  );
  const events = rows.map(storedEvent);
  const last = events.at(-1);
  if (!last) return { events, nextAfterSeq: null };
  const more = await pool.query('SELECT 1 FROM events WHERE session_id = $1 AND seq > $2 LIMIT 1', [
    sessionId,
    last.seq,
  ]);
  return { events, nextAfterSeq: more.rows.length > 0 ? last.seq : null };
}
