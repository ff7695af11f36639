// The tracer reads a finished session back whole before exporting it. A client decides how long its
// session is (a database connection can run a million statements), so a session over the limit is
// never read: counted and logged instead, from the session.end event's sequence number alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordedEvent, StoredEvent } from '../../src/core/events.js';
import { SessionTracer } from '../../src/tracing/session-tracer.js';

function sessionEnd(sessionId: string, seq: number): RecordedEvent {
  return {
    type: 'session.end',
    sessionId,
    seq,
    index: seq,
    connection: 'db',
    identity: { subject: 'mallory', kind: 'user', groups: [] },
    time: new Date(Date.UTC(2026, 11, 5)).toISOString(),
    payload: { reason: 'client-closed' },
    payloadHash: '',
    prevHash: '',
    hash: '',
  } as RecordedEvent;
}

test('a session with more events than the limit is not read back, and says so', async () => {
  const read: string[] = [];
  const warnings: object[] = [];
  const tracer = new SessionTracer({
    readSession: async (id) => {
      read.push(id);
      return [sessionEnd(id, 0) as StoredEvent];
    },
    exporter: { export: async () => 1, shutdown: async () => undefined },
    logger: { warn: (facts) => warnings.push(facts) },
    maxEvents: 1_000,
  });
  // 1,000 events (seq 0..999) is at the limit; 1,001 is over it.
  tracer.onCommit([sessionEnd('ses_at_limit', 999), sessionEnd('ses_huge', 1_000)]);
  await tracer.flush();
  assert.deepEqual(read, ['ses_at_limit']);
  assert.equal(tracer.stats.sessionsTooLarge, 1);
  assert.equal(tracer.stats.sessionsExported, 1);
  assert.deepEqual(warnings, [{ session: 'ses_huge', events: 1_001, limit: 1_000 }]);
  await tracer.close();
});
