// The PostgreSQL store's log reader for verification, checkpoints and export: rows as arrays, text
// columns as stored, so verification hashes exactly the text that was written.
import type pg from 'pg';
import type { EventSource, RawEventRow } from '../../core/ports.js';
import { PURGE_RECORD_TYPE } from '../../ledger/event-source.js';
import { SESSION_RECORD_COLUMNS, type SessionRecordTuple, sessionRecordOf } from '../ledger-rows.js';
import { EVENT_COLUMNS, type EventTuple, rawEventRow } from './event-rows.js';
import { safeInteger } from './pg-integers.js';

export function postgresEventSource(pool: pg.Pool): EventSource {
  const rowsOf = async (text: string, values: unknown[]): Promise<RawEventRow[]> =>
    (await pool.query<EventTuple>({ text, values, rowMode: 'array' })).rows.map(rawEventRow);
  return {
    readEvents(fromIndex, limit) {
      return rowsOf(`SELECT ${EVENT_COLUMNS} FROM events WHERE idx >= $1 ORDER BY idx LIMIT $2`, [
        fromIndex,
        limit,
      ]);
    },
    purgeRecords() {
      return rowsOf(`SELECT ${EVENT_COLUMNS} FROM events WHERE type = $1 ORDER BY idx`, [PURGE_RECORD_TYPE]);
    },
    async count() {
      // Appends move the head and add their rows in one transaction: the head is the row count,
      // without scanning the table.
      const { rows } = await pool.query('SELECT size FROM ledger_head');
      return safeInteger((rows[0] as { size: unknown }).size, 'ledger_head.size');
    },
    async sessionRecords() {
      const { rows } = await pool.query<SessionRecordTuple>({
        text: `SELECT ${SESSION_RECORD_COLUMNS} FROM sessions`,
        rowMode: 'array',
      });
      return rows.map((t) => sessionRecordOf(t, safeInteger));
    },
  };
}
