// A session with more spans than one OTLP request carries (a long reasoning run): its spans go out
// in several requests of at most SPANS_PER_REQUEST, all of them arrive, and parents in an earlier
// request are still the parents of children in a later one (the trace is whole).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MAX_REQUEST_BYTES, OtlpSessionExporter, SPANS_PER_REQUEST } from '../../src/tracing/otlp-export.js';
import type { PlannedSpan, SessionTracePlan } from '../../src/tracing/span-plan.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver?.close());

function span(key: string, parent: string | null, i: number): PlannedSpan {
  const start = new Date(Date.UTC(2026, 11, 1, 0, 0, 0, i)).toISOString();
  return {
    key,
    parent,
    name: key,
    kind: 'internal',
    start,
    end: start,
    attributes: { 'test.index': i },
    events: [],
    links: [],
    error: null,
  };
}

test('a session of 1,201 spans arrives whole, in requests of bounded size, parents across requests', async () => {
  // A root, 100 branches, each with 11 calls: children of early branches land in later requests.
  const spans: PlannedSpan[] = [span('session', null, 0)];
  for (let b = 0; b < 100; b++) spans.push(span(`branch:${b}`, 'session', spans.length));
  for (let b = 0; b < 100; b++)
    for (let c = 0; c < 11; c++) spans.push(span(`call:${b}:${c}`, `branch:${b}`, spans.length));
  const plan: SessionTracePlan = { sessionId: 'ses_large', remoteParent: null, spans };
  const exporter = new OtlpSessionExporter({ endpoint: receiver.url, headers: {}, serviceName: 'vigil' });
  try {
    assert.equal(await exporter.send(plan), spans.length);
  } finally {
    await exporter.shutdown();
  }
  await receiver.waitFor((got) => got.length >= spans.length);
  assert.equal(receiver.spans.length, spans.length);
  assert.equal(receiver.contentTypes.length, Math.ceil(spans.length / SPANS_PER_REQUEST));
  const byName = new Map(receiver.spans.map((s) => [s.name, s]));
  const root = byName.get('session')!;
  assert.equal(root.parentSpanId, '');
  for (const s of receiver.spans) {
    assert.equal(s.traceId, root.traceId, `${s.name} is in the session's trace`);
    const planned = spans.find((p) => p.key === s.name)!;
    if (planned.parent !== null) assert.equal(s.parentSpanId, byName.get(planned.parent)!.spanId, s.name);
  }
});

test('spans with long attributes go out in requests that stay under the byte budget', async () => {
  // 300 spans of 30,000 characters each: 512 to a request made one body of 9 MB, near or over what
  // collectors accept (and with content on, a client decides how long its texts are).
  const before = receiver.spans.length;
  const requestsBefore = receiver.bodySizes.length;
  const spans: PlannedSpan[] = [span('session', null, 0)];
  for (let i = 1; i <= 300; i++) {
    const s = span(`long:${i}`, 'session', i);
    s.attributes['test.text'] = `${i} ${'t'.repeat(30_000)}`;
    spans.push(s);
  }
  const exporter = new OtlpSessionExporter({ endpoint: receiver.url, headers: {}, serviceName: 'vigil' });
  try {
    assert.equal(await exporter.send({ sessionId: 'ses_long', remoteParent: null, spans }), spans.length);
  } finally {
    await exporter.shutdown();
  }
  await receiver.waitFor((got) => got.length >= before + spans.length);
  const sizes = receiver.bodySizes.slice(requestsBefore);
  assert.ok(sizes.length >= 3, `${sizes.length} requests`);
  for (const size of sizes) assert.ok(size <= MAX_REQUEST_BYTES + 64 * 1024, `a request of ${size} bytes`);
});
