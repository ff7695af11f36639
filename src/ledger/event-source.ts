// The generic reader of the log: any Store through its port. Stores may offer a faster one of their
// own (StoreBundle.eventSource); both must hand verification the same rows.

import { canonicalJson } from '../core/canonical-json.js';
import type { EventType } from '../core/events.js';
import type { EventSource, RawEventRow, Store } from '../core/ports.js';

export type { EventSource, RawEventRow } from '../core/ports.js';

/** The event type of a purge record (see core/events.ts). */
export const PURGE_RECORD_TYPE = 'ledger.purged' satisfies EventType;

export function storeEventSource(store: Store): EventSource {
  const source: EventSource = {
    async readEvents(fromIndex, limit) {
      const events = await store.readEvents(fromIndex, limit);
      return events.map((e) => ({
        index: e.index,
        sessionId: e.sessionId,
        seq: e.seq,
        type: e.type,
        time: e.time,
        connection: e.connection,
        subject: null,
        identity: JSON.stringify(e.identity),
        payload: e.payload === null ? null : canonicalJson(e.payload),
        payloadHash: e.payloadHash,
        prevHash: e.prevHash,
        hash: e.hash,
        payloadObject: e.payloadObject ?? null,
      }));
    },
    count: () => store.ledgerSize(),
    async sessionRecords() {
      // The Store port gives the identity parsed: its subject stands for the subject column.
      const sessions = await store.listSessions({ limit: Number.MAX_SAFE_INTEGER });
      return sessions.map((s) => ({
        id: s.id,
        connection: s.connection,
        subject: s.identity.subject,
        identity: JSON.stringify(s.identity),
        startedAt: s.startedAt,
        eventCount: s.eventCount,
        protocol: s.protocol,
        endedAt: s.endedAt,
        endReason: s.endReason,
      }));
    },
    async purgeRecords() {
      // The Store port has no query by type: one extra pass over the log.
      const records: RawEventRow[] = [];
      for (let from = 0; ; ) {
        const rows = await source.readEvents(from, 5000);
        if (rows.length === 0) return records;
        for (const row of rows) if (row.type === PURGE_RECORD_TYPE) records.push(row);
        from = rows.at(-1)!.index + 1;
      }
    },
  };
  return source;
}
