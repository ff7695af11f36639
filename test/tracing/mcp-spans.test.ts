// MCP tool calls through Vigil (the official SDK client over streamable HTTP, the SDK-built demo
// tool server) become execute_tool spans in the client's trace: the client's traceparent is
// recorded with each call and the session's spans join that trace when the session ends.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type McpFixture, startMcpFixture } from '../mcp/fixture.js';
import { TOKENS } from '../support/gateway.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

let receiver: OtlpReceiver;
let f: McpFixture;

before(async () => {
  receiver = await startOtlpReceiver();
  f = await startMcpFixture({ sessions: { idle_timeout: '1s' }, tracing: { otlp_endpoint: receiver.url } });
});

after(async () => {
  await f?.close();
  await receiver?.close();
});

test('tool calls are execute_tool spans with the MCP attributes, in the client trace', {
  timeout: 60_000,
}, async () => {
  const traceId = randomBytes(16).toString('hex');
  const clientSpan = randomBytes(8).toString('hex');
  const client = new Client({ name: 'vigil-trace-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${f.gateway.url}/c/tools/mcp`), {
      requestInit: {
        headers: { authorization: `Bearer ${TOKENS.alice}`, traceparent: `00-${traceId}-${clientSpan}-01` },
      },
    }),
  );
  try {
    await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
    await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
  } finally {
    await client.close();
  }
  await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId && s.name === 'vigil.session'));
  const spans = receiver.spans.filter((s) => s.traceId === traceId);
  const root = spans.find((s) => s.name === 'vigil.session')!;
  assert.equal(root.parentSpanId, clientSpan);
  assert.equal(root.attributes['vigil.protocol'], 'mcp');
  const add = spans.find((s) => s.name === 'tools/call add');
  assert.ok(add, spans.map((s) => s.name).join());
  assert.equal(add.parentSpanId, root.spanId);
  assert.equal(add.kind, 3);
  assert.equal(add.attributes['mcp.method.name'], 'tools/call');
  assert.equal(add.attributes['gen_ai.operation.name'], 'execute_tool');
  assert.equal(add.attributes['gen_ai.tool.name'], 'add');
  assert.equal(add.attributes['rpc.system'], 'jsonrpc');
  assert.equal(add.attributes['gen_ai.tool.call.arguments'], undefined, 'no arguments without content');
  assert.equal(add.status, 0);
  assert.ok(spans.some((s) => s.name === 'tools/call read_file'));
});
