// Transport tricks a client tries on an MCP connection, each checked against what reached the
// upstream: a session initialized at an older revision that still allowed JSON-RPC batches, then a
// batch mixing an allowed call with a denied one; SSE resumption (`Last-Event-ID`) asked of the
// gateway to replay answers; bytes that are not UTF-8 inside a call's arguments; arguments nested
// past the depth Vigil reads. Nothing reaches the upstream that was not judged and recorded as it
// arrived there. Raw HTTP, since the SDK client sends none of these.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import type { McpFixture } from './fixture.js';
import { sessionHeaders } from './raw-calls.js';
import { forwarded, requestBody, startProxiedMcpFixture } from './upstream-proxy.js';

let f: McpFixture;
let closeAll: () => Promise<void>;
const url = () => `${f.gateway.url}/c/tools/mcp`;
/** Headers of every request that reached the upstream. */
const upstreamHeaders: IncomingHttpHeaders[] = [];

before(async () => {
  // Between Vigil and the upstream, a proxy that notes each request's headers.
  const proxied = await startProxiedMcpFixture(async (req, res, target) => {
    upstreamHeaders.push(req.headers);
    const { answer, headers } = await forwarded(target, req, await requestBody(req));
    // Streamed as it comes: the GET stream never ends on its own.
    res.writeHead(answer.status, headers);
    const reader = answer.body?.getReader();
    for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) res.write(r.value);
    res.end();
  });
  f = proxied.fixture;
  closeAll = () => proxied.close();
});

after(() => closeAll?.());

/** A raw initialize at `version`; returns the session id Vigil issued. */
async function initializeAt(version: string): Promise<string> {
  const res = await fetch(url(), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  await res.arrayBuffer();
  const sid = res.headers.get('mcp-session-id');
  assert.ok(sid, `initialize at ${version} answered ${res.status}`);
  const initialized = await fetch(url(), {
    method: 'POST',
    headers: { ...sessionHeaders(sid), 'mcp-protocol-version': '2025-03-26' },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.arrayBuffer();
  return sid;
}

const writeCall = (id: number, path: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'write_file', arguments: { path, content: 'x' } },
});

test('a batch in a session of an older revision is refused whole, and no call in it reaches the upstream', async () => {
  for (const version of ['2024-11-05', '2025-03-26']) {
    const sid = await initializeAt(version);
    const before = f.arrivals.length;
    const res = await fetch(url(), {
      method: 'POST',
      headers: { ...sessionHeaders(sid), 'mcp-protocol-version': '2025-03-26' },
      body: JSON.stringify([writeCall(1, 'tmp/ok.txt'), writeCall(2, '../../etc/x')]),
    });
    assert.equal(res.status, 400, version);
    const body = (await res.json()) as { error: { data: { code: string } } };
    assert.equal(body.error.data.code, 'protocol_violation');
    assert.deepEqual(f.arrivals.slice(before), [], `a call of the batch reached the upstream (${version})`);
  }
});

test('Last-Event-ID never reaches the upstream and the POST stream carries no event ids to resume', async () => {
  const sid = await initializeAt('2025-11-25');
  const res = await fetch(url(), {
    method: 'POST',
    headers: { ...sessionHeaders(sid), 'last-event-id': 'stream-1_0' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'sleep', arguments: { ms: 250 }, _meta: { progressToken: 'p' } },
    }),
  });
  const text = await res.text();
  assert.ok(text.includes('slept 250 ms'), text);
  assert.ok(!/^id:/m.test(text), 'an SSE event id a client could resume from');
  const get = new AbortController();
  const stream = await fetch(url(), {
    headers: { ...sessionHeaders(sid), accept: 'text/event-stream', 'last-event-id': 'stream-1_0' },
    signal: get.signal,
  });
  // The GET stream replays nothing: read for a moment, then leave.
  const reader = stream.body!.getReader();
  const read = reader.read().then((r) => (r.done ? '' : Buffer.from(r.value).toString('utf8')));
  const chunk = await Promise.race([read, new Promise<string>((r) => setTimeout(() => r(''), 400))]);
  get.abort();
  await reader.cancel().catch(() => undefined);
  assert.ok(!chunk.includes('"result"'), `the GET stream replayed an answer: ${chunk}`);
  assert.ok(
    upstreamHeaders.every((h) => h['last-event-id'] === undefined),
    'Last-Event-ID reached the upstream',
  );
});

test('bytes that are not UTF-8 in arguments reach the upstream as they were recorded', async () => {
  const sid = await initializeAt('2025-11-25');
  const head = Buffer.from(
    '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"write_file","arguments":{"content":"x","path":"tmp/a',
  );
  // Keys in canonical order: the fixture compares the record with what arrived as JSON text.
  const tail = Buffer.from('.txt"}}}');
  let forwardedCalls = 0;
  for (const bad of [[0xff], [0xc0, 0xa2], [0xe2, 0x82], [0xed, 0xa0, 0x80]]) {
    const before = f.arrivals.length;
    const res = await fetch(url(), {
      method: 'POST',
      headers: sessionHeaders(sid),
      body: Buffer.concat([head, Buffer.from(bad), tail]),
    });
    await res.arrayBuffer();
    const arrived = f.arrivals.slice(before).filter((a) => a.tool === 'write_file');
    for (const a of arrived)
      assert.ok(a.recordedFirst, `reached the upstream unrecorded: ${JSON.stringify(a.args)}`);
    forwardedCalls += arrived.length;
  }
  assert.equal(forwardedCalls, 4, 'each call was forwarded, with the record matching what arrived');
});

test('arguments nested past the depth Vigil reads are refused before the upstream sees them', async () => {
  const sid = await initializeAt('2025-11-25');
  const before = f.arrivals.length;
  const deep = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
  const res = await fetch(url(), {
    method: 'POST',
    headers: sessionHeaders(sid),
    body: `{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2,"x":${deep}}}}`,
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { data: { code: string } } };
  assert.equal(body.error.data.code, 'body_too_deep');
  assert.deepEqual(f.arrivals.slice(before), []);
});
