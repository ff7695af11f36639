// An MCP server that refuses a call may quote the credential Vigil sent it in its JSON-RPC error
// (`token … may not call this tool`); relayed as it came, the error handed the client the upstream
// credential it must never hold. A server's error now reaches the client masked, as it is recorded,
// and a successful answer with the credentials the gateway holds masked (a tool that echoes its input).
// Real parts: the official MCP SDK client, Vigil, and the demo tool server behind a small proxy
// that answers one tool's calls with such an error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { type McpFixture, sdkClient, UPSTREAM_TOKEN } from '../mcp/fixture.js';
import { forwarded, requestBody, startProxiedMcpFixture } from '../mcp/upstream-proxy.js';
import { TOKENS } from '../support/gateway.js';

let f: McpFixture;
let closeFixture: () => Promise<void>;

before(async () => {
  ({ fixture: f, close: closeFixture } = await startProxiedMcpFixture(async (req, res, target) => {
    const body = await requestBody(req);
    const message =
      body.length > 0
        ? (JSON.parse(body.toString('utf8')) as { id?: unknown; method?: string; params?: { name?: string } })
        : null;
    if (message?.method === 'tools/call' && message.params?.name === 'read_file') {
      // A listed tool answering as a debugging tool would, showing what it was sent: a success, the
      // credential in its text. (A tool the upstream does not list is refused before it is called.)
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        `event: message\ndata: ${JSON.stringify({
          jsonrpc: '2.0',
          id: message.id,
          result: { content: [{ type: 'text', text: `called with ${req.headers.authorization}` }] },
        })}\n\n`,
      );
      return;
    }
    if (message?.method === 'tools/call' && message.params?.name === 'add') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32001, message: `credential ${req.headers.authorization} may not call add` },
        }),
      );
      return;
    }
    const { answer, headers } = await forwarded(target, req, body);
    res.writeHead(answer.status, headers);
    if (answer.body)
      for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  }));
});

after(async () => {
  await closeFixture?.();
});

test("a server's error that quotes the credential Vigil sent reaches the client masked", async () => {
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    await assert.rejects(client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), (err: unknown) => {
      assert.ok(err instanceof McpError, String(err));
      assert.ok(
        !err.message.includes(UPSTREAM_TOKEN),
        `the client got the upstream credential: ${err.message}`,
      );
      assert.match(err.message, /may not call add/);
      assert.match(err.message, /\[MASKED:/);
      return true;
    });
  } finally {
    await client.close();
  }
});

test("a tool's successful answer that quotes the credential Vigil sent reaches the client with it masked", async () => {
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    const text = JSON.stringify(result);
    assert.ok(!text.includes(UPSTREAM_TOKEN), `the client got the upstream credential: ${text}`);
    assert.match(text, /called with Bearer \[MASKED:known-secret:[0-9a-f]{6}\]/);
  } finally {
    await client.close();
  }
});
