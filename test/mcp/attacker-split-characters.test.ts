// An MCP server's event stream whose bytes arrive in pieces that cut a character's UTF-8 bytes in
// two (a proxy or a slow link passes three bytes at a time): the client gets, and the ledger
// records, the text the server sent. Decoded piece by piece, each half became U+FFFD, so a file's
// `grüße ✓` reached the client and the record as `gr��e �` (until 7 December).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient } from './fixture.js';
import { forwarded, requestBody, startProxiedMcpFixture } from './upstream-proxy.js';

const TEXT = 'grüße ✓ 日本語 🙂 naïve café';
let f: McpFixture;
let closeFixture: () => Promise<void>;

before(async () => {
  ({ fixture: f, close: closeFixture } = await startProxiedMcpFixture(async (req, res, target) => {
    const { answer, headers } = await forwarded(target, req, await requestBody(req));
    res.writeHead(answer.status, headers);
    if (!answer.body) {
      res.end();
      return;
    }
    const all = Buffer.from(await answer.arrayBuffer());
    // Three bytes at a time, each its own chunk: most multi-byte characters are cut.
    for (let at = 0; at < all.length; at += 3) {
      res.write(all.subarray(at, at + 3));
      await tick();
    }
    res.end();
  }));
  writeFileSync(join(f.root, 'words.txt'), `${TEXT}\n`);
});

after(async () => {
  await closeFixture?.();
});

test("a server's text cut mid-character by the stream's chunks reaches the client and the record whole", async () => {
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  let result: Awaited<ReturnType<typeof client.callTool>>;
  try {
    result = await client.callTool({ name: 'read_file', arguments: { path: 'words.txt' } });
  } finally {
    await client.close();
  }
  const content = result.content as { type: string; text?: string }[];
  assert.ok(JSON.stringify(content).includes(TEXT), JSON.stringify(content));
  const recorded = (await f.events('mcp.result')).at(-1);
  assert.ok(JSON.stringify(recorded?.payload).includes(TEXT), JSON.stringify(recorded?.payload));
});
