// Recorded model calls whose payloads match their hashes but not the shape the recorder writes (a
// row forged with its hashes recomputed, or damaged): the re-run must answer each request for them
// with its stable `rerun_no_recorded_answer` and list them as unanswerable, not fail inside its wire
// encoders with a 500 `internal` counted as answered. The real re-run server and masker; the events
// are built in memory, as the store would hand them over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject, StoredEvent } from '../../src/core/events.js';
import { payloadHash } from '../../src/ledger/chain.js';
import { createMasker } from '../../src/mask/index.js';
import { recordedCalls } from '../../src/rerun/recorded-calls.js';
import { startRerunServer } from '../../src/rerun/server.js';

let seq = 0;
function event(type: string, payload: JsonObject): StoredEvent {
  seq++;
  return {
    type,
    sessionId: 's_hostile',
    connection: 'oa',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    time: '2026-12-05T00:00:00.000Z',
    payload,
    seq,
    index: seq,
    payloadHash: payloadHash(payload),
    prevHash: '',
    hash: '',
  } as unknown as StoredEvent;
}

const request = (id: string, model: string): JsonObject => ({
  requestId: id,
  api: 'openai.chat',
  method: 'POST',
  path: '/v1/chat/completions',
  model,
  stream: false,
  n: 1,
  body: { model, messages: [{ role: 'user', content: 'hi' }] },
});

const genuine = (id: string): JsonObject => ({
  requestId: id,
  status: 200,
  stream: true,
  choices: [{ index: 0, text: 'hello', reasoning: '', finishReason: 'stop', toolCalls: [] }],
  usage: null,
  ttftMs: 1,
  durationMs: 2,
  body: null,
  bodyText: null,
  error: null,
  partial: false,
});

test('a recorded call not shaped as recorded gets the stable no-answer error and is listed, never a 500', async () => {
  const hostile: JsonObject[] = [
    { requestId: 'r1', choices: 'not a list' },
    { ...genuine('r2'), status: 'ok' },
    { ...genuine('r3'), choices: [{ index: 0, text: 5, toolCalls: 'x' }] },
  ];
  const events = [
    ...hostile.flatMap((r, i) => [
      event('llm.request', request(`r${i + 1}`, `m${i + 1}`)),
      event('llm.response', r),
    ]),
    event('llm.request', { requestId: 'r4', api: 'openai.chat' }),
    event('llm.response', genuine('r4')),
    event('llm.request', request('r5', 'm5')),
    event('llm.response', genuine('r5')),
  ];
  const recorded = recordedCalls(events);
  assert.deepEqual(
    recorded.unanswerable.map((u) => u.position),
    [1, 2, 3, 4],
  );
  const masker = createMasker({ fingerprintKey: 'k'.repeat(32) });
  const server = await startRerunServer(
    { session: 's_hostile', recorded, masker, timing: 'fast' },
    '127.0.0.1',
    0,
  );
  try {
    for (const model of ['m1', 'm2', 'm3']) {
      for (const stream of [false, true]) {
        const res = await fetch(`${server.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], stream }),
        });
        assert.equal(res.status, 404, `${model} ${stream}: ${await res.clone().text()}`);
        assert.equal(res.headers.get('x-vigil-error'), 'rerun_no_recorded_answer');
      }
    }
    const ok = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(ok.status, 200);
    const report = server.report();
    assert.equal(report.answered, 1);
    assert.deepEqual(report.unanswerable, [1, 2, 3, 4]);
  } finally {
    await server.close();
  }
});
