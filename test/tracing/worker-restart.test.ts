// The trace export worker can die (an out-of-memory in a huge session, a crash in a dependency).
// The next session is exported by a new worker, to a real OTLP receiver, rather than every later
// export failing for the life of the process; a worker that dies at once each time is started again
// only after a wait that doubles, never in a loop (measured on a clock the test moves).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { StoredEvent } from '../../src/core/events.js';
import { FIRST_RESTART_WAIT_MS, WorkerExporter } from '../../src/tracing/worker-exporter.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

let receiver: OtlpReceiver;

before(async () => {
  receiver = await startOtlpReceiver();
});

after(async () => {
  await receiver?.close();
});

/** A finished session of two events: one root span. */
function session(sessionId: string): StoredEvent[] {
  const event = (seq: number, type: string, payload: Record<string, string>) =>
    ({
      index: seq,
      sessionId,
      seq,
      type,
      time: new Date(Date.UTC(2026, 11, 5, 12, 0, seq)).toISOString(),
      connection: 'db',
      identity: { subject: 'alice', kind: 'user', groups: [] },
      payload,
      payloadHash: '',
      prevHash: '',
      hash: '',
    }) as StoredEvent;
  return [
    event(0, 'session.start', { protocol: 'postgres' }),
    event(1, 'session.end', { reason: 'client-closed' }),
  ];
}

const exportedSession = (id: string) =>
  receiver.waitFor((spans) => spans.some((s) => s.attributes['vigil.session.id'] === id));

test('after the worker dies, the next session is exported by a new one', async () => {
  const exporter = new WorkerExporter({
    endpoint: receiver.url,
    headers: {},
    serviceName: 'vigil',
    content: false,
  });
  try {
    assert.ok((await exporter.export(session('ses_before'))) > 0);
    await exportedSession('ses_before');
    await exporter.terminateWorker();
    assert.ok((await exporter.export(session('ses_after'))) > 0);
    await exportedSession('ses_after');
    assert.equal(exporter.workerStarts, 2);
  } finally {
    await exporter.shutdown();
  }
});

test('a worker that dies at once each time is started again only after a doubling wait', async () => {
  let now = 0;
  // A thread that ends as soon as it starts, before answering anything.
  const dying = () => new Worker('process.exit(3)', { eval: true });
  const exporter = new WorkerExporter(
    { endpoint: receiver.url, headers: {}, serviceName: 'vigil', content: false },
    { startWorker: dying, now: () => now },
  );
  const fails = (what: string) =>
    assert.rejects(exporter.export(session('ses_x')), /the trace export worker exited \(3\)/, what);
  await fails('the first worker dies holding the export');
  await fails('no start yet: the first wait has not passed');
  await fails('still none');
  assert.equal(exporter.workerStarts, 1);
  now += FIRST_RESTART_WAIT_MS;
  await fails('the second worker dies too');
  assert.equal(exporter.workerStarts, 2);
  now += FIRST_RESTART_WAIT_MS;
  await fails('the wait doubled: no start after one more second');
  assert.equal(exporter.workerStarts, 2);
  now += FIRST_RESTART_WAIT_MS;
  await fails('the third worker dies');
  assert.equal(exporter.workerStarts, 3);
  await exporter.shutdown();
  await assert.rejects(exporter.export(session('ses_y')), /shutting down/);
  assert.equal(exporter.workerStarts, 3, 'nothing is started once shutting down');
});
