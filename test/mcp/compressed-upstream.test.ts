// An MCP upstream behind a proxy that compresses every answer (JSON and event streams) whatever the
// request asked for: Vigil decodes it, so listings and calls work and are recorded as the client
// gets them; an answer in a coding Vigil cannot read fails closed with a recorded error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { constants, createGzip } from 'node:zlib';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, UPSTREAM_TOKEN } from './fixture.js';
import { forwarded, requestBody, startProxiedMcpFixture } from './upstream-proxy.js';

let f: McpFixture;
let closeFixture: () => Promise<void>;
/** The coding the proxy answers with: gzip, or one no one can read. */
let coding: 'gzip' | 'x-unknown' = 'gzip';

before(async () => {
  ({ fixture: f, close: closeFixture } = await startProxiedMcpFixture(async (req, res, target) => {
    const { answer, headers: out } = await forwarded(target, req, await requestBody(req));
    if (!answer.body) {
      res.writeHead(answer.status, out).end();
      return;
    }
    res.writeHead(answer.status, { ...out, 'content-encoding': coding });
    // Flushed per chunk, so an event stream stays a stream.
    const sink = coding === 'gzip' ? createGzip({ flush: constants.Z_SYNC_FLUSH }) : null;
    if (sink) sink.pipe(res);
    for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) (sink ?? res).write(chunk);
    (sink ?? res).end();
  }));
});

after(async () => {
  await closeFixture?.();
});

test('listings and tool calls through an upstream that compresses are the upstream’s, recorded decoded', async () => {
  const through = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  const direct = await sdkClient(f.upstream.url, UPSTREAM_TOKEN);
  try {
    assert.deepEqual(await through.listTools(), await direct.listTools());
    const call = { name: 'add', arguments: { a: 40, b: 2 } };
    assert.deepEqual(await through.callTool(call), await direct.callTool(call));
  } finally {
    await through.close();
    await direct.close();
  }
  const result = (await f.events('mcp.result')).at(-1);
  assert.deepEqual(result?.payload?.structuredContent, { sum: 42 });
  const listed = (await f.events('mcp.tools')).at(-1)?.payload?.tools;
  assert.ok(Array.isArray(listed) && listed.length > 0);
});

test('an answer in a coding Vigil cannot read fails closed, with the error recorded', async () => {
  const through = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  coding = 'x-unknown';
  let failed: unknown;
  try {
    failed = await through.callTool({ name: 'add', arguments: { a: 1, b: 1 } }).catch((e: unknown) => e);
  } finally {
    coding = 'gzip';
    await through.close();
  }
  assert.ok(failed instanceof McpError, String(failed));
  assert.equal((failed.data as { code?: string }).code, 'upstream_failed');
  const result = (await f.events('mcp.result')).at(-1);
  assert.equal((result?.payload?.error as { code?: string })?.code, 'upstream_failed');
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(f.gateway);
});
