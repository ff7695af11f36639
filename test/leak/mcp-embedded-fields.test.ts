// What an MCP server hands back holds secrets where the payload's own keys say nothing: a tool's
// text result that is a JSON document (`{"session_token": …}`), and a resource read as text (a
// `.env`) or as a base64 `blob` too short to look like key material. Through the gateway with the
// official MCP SDK client, none may reach the data directory or the gateway's log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type McpFixture, sdkClient } from '../mcp/fixture.js';
import { forwarded, requestBody, startProxiedMcpFixture } from '../mcp/upstream-proxy.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';

// Words joined by dashes: no text rule takes them for secrets.
const TOOL_TOKEN = 'lantern-orchard-seven';
const ENV_TEXT_SECRET = 'copper-kettle-morning';
const ENV_BLOB_SECRET = 'velvet-harbor-fog';

let f: McpFixture;
let closeFixture: () => Promise<void>;

const answer = (id: unknown, result: unknown) =>
  `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result })}\n\n`;

before(async () => {
  ({ fixture: f, close: closeFixture } = await startProxiedMcpFixture(async (req, res, target) => {
    const body = await requestBody(req);
    const message =
      body.length > 0
        ? (JSON.parse(body.toString('utf8')) as { id?: unknown; method?: string; params?: { name?: string } })
        : null;
    if (message?.method === 'tools/call' && message.params?.name === 'read_file') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        answer(message.id, {
          content: [{ type: 'text', text: JSON.stringify({ ok: true, session_token: TOOL_TOKEN }) }],
        }),
      );
      return;
    }
    if (message?.method === 'resources/read') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        answer(message.id, {
          contents: [
            {
              uri: 'file:///app/.env',
              mimeType: 'text/plain',
              text: `PORT=8080\nSTRIPE_SECRET=${ENV_TEXT_SECRET}\n`,
            },
            {
              uri: 'file:///app/.env.local',
              mimeType: 'application/octet-stream',
              blob: Buffer.from(`API_TOKEN=${ENV_BLOB_SECRET}\n`).toString('base64'),
            },
          ],
        }),
      );
      return;
    }
    const { answer: a, headers } = await forwarded(target, req, body);
    res.writeHead(a.status, headers);
    if (a.body) for await (const chunk of a.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    res.end();
  }));
});

after(async () => {
  await closeFixture?.();
});

test("a tool's JSON text and a resource's text and blob are recorded with their secrets masked", async () => {
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'hello.txt' } });
    assert.match(JSON.stringify(result), /session_token/);
    const resource = await client.readResource({ uri: 'file:///app/.env' });
    assert.equal(resource.contents.length, 2);
  } finally {
    await client.close();
  }
  const results = (await f.events('mcp.result')).map((e) => JSON.stringify(e.payload));
  assert.ok(
    results.some((r) => r.includes('session_token')),
    results.join('\n'),
  );
  const secrets = [TOOL_TOKEN, ENV_TEXT_SECRET, ENV_BLOB_SECRET];
  const spellings = secrets.flatMap((s) => [s, Buffer.from(`API_TOKEN=${s}\n`).toString('base64')]);
  for (const { path, bytes } of dataDirFiles(f.gateway.dataDir))
    for (const s of spellings) assert.ok(!bytes.includes(Buffer.from(s)), `${path} holds ${s}`);
});
