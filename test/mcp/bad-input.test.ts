// Hostile and broken input on an MCP connection: malformed JSON-RPC, batches, unknown methods,
// oversized messages, a client that leaves mid-stream and an upstream that dies mid-call each get a
// clear JSON-RPC error (or HTTP status where the transport says so), nothing reaches the upstream
// that was not recorded, and every recorded call has its outcome.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';
import { sessionHeaders } from './raw-calls.js';

let f: McpFixture;
let client: Client;
let sid: string;

before(async () => {
  f = await startMcpFixture({ connections: [{ max_message_bytes: 8192 }] });
  client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  sid = (client as unknown as { transport: { sessionId: string } }).transport.sessionId;
  await client.listTools();
});

after(async () => {
  await client?.close();
  await f?.close();
});

function post(body: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${f.gateway.url}/c/tools/mcp`, {
    method: 'POST',
    headers: sessionHeaders(sid),
    body,
    ...(signal ? { signal } : {}),
  });
}

async function rpcError(
  res: Response,
): Promise<{ id: unknown; error: { code: number; data: { code: string } } }> {
  return (await res.json()) as { id: unknown; error: { code: number; data: { code: string } } };
}

test('malformed JSON: 400 with a parse error that does not quote the input', async () => {
  const res = await post(
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add" sk-secret-in-garbage',
  );
  assert.equal(res.status, 400);
  const body = await rpcError(res);
  assert.equal(body.error.code, -32700);
  assert.equal(body.error.data.code, 'body_invalid_json');
  assert.ok(!JSON.stringify(body).includes('sk-secret'));
});

test('not JSON-RPC, and batches: 400 invalid request, answered with the id when there is one', async () => {
  for (const [body, id] of [
    ['{"jsonrpc":"1.0","id":3,"method":"ping"}', 3],
    ['{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}', null],
    ['{"jsonrpc":"2.0","id":4,"method":"ping","params":[1]}', 4],
    ['"just a string"', null],
    [
      JSON.stringify([
        { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 } } },
      ]),
      null,
    ],
  ] as const) {
    const res = await post(body);
    assert.equal(res.status, 400, body);
    const answer = await rpcError(res);
    assert.equal(answer.error.code, -32600, body);
    assert.equal(answer.id, id, body);
  }
  assert.ok(!f.arrivals.some((a) => a.method === 'ping'), 'no malformed message reached the upstream');
});

test('an unknown method: JSON-RPC method-not-found, never forwarded', async () => {
  const res = await post(
    JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'admin/deleteEverything', params: {} }),
  );
  assert.equal(res.status, 200);
  const answer = await rpcError(res);
  assert.equal(answer.error.code, -32601);
  assert.equal(answer.error.data.code, 'method_unknown');
  assert.ok(!f.arrivals.some((a) => a.method === 'admin/deleteEverything'));
  await assert.rejects(client.request({ method: 'tasks/list', params: {} } as never, {} as never), McpError);
});

test('a tools/call sent as a notification (no id) is refused, never forwarded; known notifications pass', async () => {
  const res = await post(
    JSON.stringify({
      jsonrpc: '2.0',
      method: 'tools/call',
      params: { name: 'write_file', arguments: { path: 'unjudged.txt', content: 'x' } },
    }),
  );
  assert.equal(res.status, 400);
  const answer = await rpcError(res);
  assert.equal(answer.error.data.code, 'method_unknown');
  assert.ok(!f.arrivals.some((a) => a.method === 'tools/call' && a.tool === 'write_file'), 'never forwarded');
  const refused = (await f.events('access.denied')).filter((e) => e.payload?.method === 'tools/call');
  assert.equal(refused.length, 1, 'the refusal is recorded');

  const cancelled = await post(
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } }),
  );
  assert.equal(cancelled.status, 202);
  assert.ok(
    f.arrivals.some((a) => a.method === 'notifications/cancelled'),
    'forwarded',
  );
});

test('a tools/call whose params name the tool twice (a case variant) is refused, never forwarded', async () => {
  const res = await post(
    '{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"add","NAME":"write_file","arguments":{"path":"x","content":"y"}}}',
  );
  assert.equal(res.status, 400);
  assert.equal((await rpcError(res)).error.data.code, 'body_invalid_json');
  assert.ok(
    !f.arrivals.some(
      (a) => a.method === 'tools/call' && a.args && (a.args as { path?: string }).path === 'x',
    ),
  );
});

test('a call, read or prompt whose fields are of another shape is refused rather than recorded as {} or null', async () => {
  for (const args of ['"path=x"', '["x","y"]', 'null']) {
    const res = await post(
      `{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"write_file","arguments":${args}}}`,
    );
    const answer = await rpcError(res);
    assert.equal(answer.error.data.code, 'protocol_violation', args);
  }
  for (const params of ['{"uri":5}', '{}', '{"name":["x"]}', '{"name":"p","arguments":"a=1"}']) {
    const method = params.includes('uri') || params === '{}' ? 'resources/read' : 'prompts/get';
    const res = await post(`{"jsonrpc":"2.0","id":23,"method":"${method}","params":${params}}`);
    assert.equal((await rpcError(res)).error.data.code, 'protocol_violation', `${method} ${params}`);
  }
  assert.ok(!f.arrivals.some((a) => a.method === 'resources/read' || a.method === 'prompts/get'));
  const notObject = (v: unknown) => typeof v !== 'object' || v === null || Array.isArray(v);
  assert.ok(!f.arrivals.some((a) => a.tool === 'write_file' && notObject(a.args)), 'none was forwarded');
});

test('an oversized message: 413, nothing forwarded', async () => {
  const big = JSON.stringify({
    jsonrpc: '2.0',
    id: 12,
    method: 'tools/call',
    params: { name: 'write_file', arguments: { path: 'big.txt', content: 'x'.repeat(20_000) } },
  });
  const res = await post(big);
  assert.equal(res.status, 413);
  assert.equal((await rpcError(res)).error.data.code, 'body_too_large');
  assert.ok(!f.arrivals.some((a) => a.tool === 'write_file'));
});

test('a streamed call: progress notifications arrive through Vigil before the result', async () => {
  const progress: number[] = [];
  const result = await client.callTool({ name: 'sleep', arguments: { ms: 400 } }, undefined, {
    onprogress: (p) => progress.push(p.progress),
  });
  assert.deepEqual(result.content, [{ type: 'text', text: 'slept 400 ms' }]);
  assert.ok(progress.length >= 2, `progress seen: ${progress.join(',')}`);
});

async function outcomes(): Promise<{ calls: Set<string>; results: Map<string, Record<string, unknown>> }> {
  await f.gateway.recorder.drain();
  const calls = new Set(
    (await f.events('mcp.call')).filter((e) => !e.payload?.refused).map((e) => String(e.payload?.call_id)),
  );
  const results = new Map(
    (await f.events('mcp.result')).map((e) => [
      String(e.payload?.call_id),
      e.payload as Record<string, unknown>,
    ]),
  );
  return { calls, results };
}

test('a client that leaves mid-stream: the call is recorded with its outcome, the gateway carries on', async () => {
  const abort = new AbortController();
  const res = await post(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 21,
      method: 'tools/call',
      params: { name: 'sleep', arguments: { ms: 3000 }, _meta: { progressToken: 1 } },
    }),
    abort.signal,
  );
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = res.body!.getReader();
  await reader.read(); // the first progress event
  abort.abort();
  for (let i = 0; i < 100; i++) {
    const { calls, results } = await outcomes();
    if ([...calls].every((c) => results.has(c))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const { calls, results } = await outcomes();
  for (const c of calls) assert.ok(results.has(c), `call ${c} has no recorded outcome`);
  assert.deepEqual((await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).content, [
    { type: 'text', text: '2' },
  ]);
});

test('an upstream that dies mid-call: a JSON-RPC error, the failure recorded', async () => {
  const pending = client.callTool({ name: 'sleep', arguments: { ms: 5000 } });
  pending.catch(() => undefined);
  for (
    let i = 0;
    i < 100 && !f.arrivals.some((a) => a.tool === 'sleep' && (a.args as { ms: number }).ms === 5000);
    i++
  ) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await f.upstream.close();
  const err = await pending.then(
    () => assert.fail('the call succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof McpError, String(err));
  assert.equal((err.data as { code: string }).code, 'upstream_failed');
  const { calls, results } = await outcomes();
  for (const c of calls) assert.ok(results.has(c), `call ${c} has no recorded outcome`);
  const failed = [...results.values()].filter(
    (r) => (r.error as { code?: string } | undefined)?.code === 'upstream_failed',
  );
  assert.ok(failed.length >= 1);
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(f.gateway);
});
