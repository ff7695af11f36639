// A client that leaves a call before its answer and then sends another request with the same id
// in the same session. The upstream is still running the first call: the SDK's server transport
// keys its streams by request id, so when the first call finished it answered on the second
// request's stream. Vigil freed the id when the client left, forwarded the second call, and
// recorded the first call's result as the second's; the client got it as the second's answer.
// The same held when Vigil gave up on the call itself (the upstream timed out). MCP forbids
// reusing an id within a session: an id whose request was forwarded and never answered now stays
// taken for the rest of the session, and a request reusing it is refused, never forwarded. Raw
// HTTP, since the SDK client never reuses an id.
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
  // Calls longer than this time out at Vigil while the upstream still runs them.
  f = await startMcpFixture({ connections: [{ timeouts: { request: '300ms' } }] });
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("an abandoned call's id cannot be reused while the upstream may still answer it", async () => {
  const abort = new AbortController();
  const first = post(sleepCall(91, 400), abort.signal).catch(() => null);
  await sleep(100);
  abort.abort();
  await first;
  await sleep(100);
  const second = await answerOf(await post(sleepCall(91, 800)));
  assert.equal(second.error?.data?.code, 'protocol_violation', JSON.stringify(second));
  assert.ok(!f.arrivals.some((a) => a.tool === 'sleep' && (a.args as { ms?: number }).ms === 800));
  // Once the first call finished upstream, nothing of it reaches another request's record.
  await sleep(500);
  await f.gateway.recorder.drain();
  const results = (await f.events('mcp.result')).filter((e) => e.payload?.tool === 'sleep');
  assert.ok(
    results.every(
      (e) => (e.payload?.content as { text: string }[] | undefined)?.[0]?.text !== 'slept 400 ms',
    ),
    JSON.stringify(results.map((e) => e.payload)),
  );
});

test('the id of a call Vigil gave up on (the upstream timed out) cannot be reused either', async () => {
  const first = await answerOf(await post(sleepCall(95, 2000)));
  assert.equal(first.error?.data?.code, 'upstream_timeout', JSON.stringify(first));
  // Progress every 100 ms keeps this one's stream within the timeout.
  const second = await answerOf(await post(sleepCall(95, 1500, 'keepalive')));
  assert.equal(second.error?.data?.code, 'protocol_violation', JSON.stringify(second));
  assert.ok(!f.arrivals.some((a) => a.tool === 'sleep' && (a.args as { ms?: number }).ms === 1500));
  await sleep(2000);
  await f.gateway.recorder.drain();
  const results = (await f.events('mcp.result')).filter((e) => e.payload?.tool === 'sleep');
  assert.ok(
    results.every(
      (e) => (e.payload?.content as { text: string }[] | undefined)?.[0]?.text !== 'slept 2000 ms',
    ),
    JSON.stringify(results.map((e) => e.payload)),
  );
});

test('other ids are still served, and the same id in a new session', async () => {
  const answer = await answerOf(await post(sleepCall(92, 1)));
  assert.deepEqual(answer.result?.content, [{ type: 'text', text: 'slept 1 ms' }]);
  const bob = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    const r = await bob.callTool({ name: 'sleep', arguments: { ms: 2 } });
    assert.deepEqual(r.content, [{ type: 'text', text: 'slept 2 ms' }]);
  } finally {
    await bob.close();
  }
});
