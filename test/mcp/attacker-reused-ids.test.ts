// A client that sends a second request with the id of one still in flight in its session. The
// SDK's server transport keys its streams by request id, so it answered the first call on the
// second call's stream: Vigil recorded the first call's result as the second's, and the client got
// it as the second's answer (the first call's own stream was never answered). A request whose id
// is in flight in its session is now refused, and never forwarded. Raw HTTP, since the SDK client
// never reuses an id.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';
import { answerOf, rawPoster, sleepCall } from './raw-calls.js';

let f: McpFixture;
let alice: Client;
let sid: string;

before(async () => {
  f = await startMcpFixture();
  alice = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  await alice.listTools();
  sid = (alice as unknown as { transport: { sessionId: string } }).transport.sessionId;
});

after(async () => {
  await alice?.close();
  await f?.close();
});

const post = rawPoster(
  () => `${f.gateway.url}/c/tools/mcp`,
  () => sid,
);

test('a second request with the id of one in flight is refused, and each call gets its own answer', async () => {
  const abort = new AbortController();
  const first = post(sleepCall(77, 400), abort.signal);
  await new Promise((r) => setTimeout(r, 100));
  try {
    const second = await answerOf(await post(sleepCall(77, 900)));
    assert.equal(second.error?.data?.code, 'protocol_violation', JSON.stringify(second));
    assert.ok(!f.arrivals.some((a) => a.tool === 'sleep' && (a.args as { ms?: number }).ms === 900));
    const answer = await answerOf(await first);
    assert.deepEqual(answer.result?.content, [{ type: 'text', text: 'slept 400 ms' }]);
  } finally {
    abort.abort();
  }
  // The id is free again once answered.
  const again = await answerOf(await post(sleepCall(77, 0)));
  assert.deepEqual(again.result?.content, [{ type: 'text', text: 'slept 0 ms' }]);
  await f.gateway.recorder.drain();
  const results = (await f.events('mcp.result')).filter((e) => e.payload?.tool === 'sleep');
  assert.deepEqual(
    results.map((e) => (e.payload?.content as { text: string }[] | undefined)?.[0]?.text),
    ['slept 400 ms', 'slept 0 ms'],
  );
});

test('1 and "1" are the same id while in flight', async () => {
  const first = post(sleepCall(5, 300));
  await new Promise((r) => setTimeout(r, 100));
  const second = await answerOf(await post(sleepCall('5', 0)));
  assert.equal(second.error?.data?.code, 'protocol_violation');
  assert.deepEqual((await answerOf(await first)).result?.content, [{ type: 'text', text: 'slept 300 ms' }]);
});
