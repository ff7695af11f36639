// A session its client ended (DELETE, which `vigil mcp-bridge` sends when its stdin ends) came back
// to life when its id was presented again: the id is authenticated but carries no expiry, and no
// replica remembered that it was ended. With a stdio upstream the next request spawned a fresh
// process, initialized it with the session's own params and ran the call, recorded in the ended
// session's ledger session; with an HTTP upstream the call was recorded and forwarded before the
// upstream said it no longer knew the session. An ended session is now unknown (404
// `session_unknown`) on every replica, to its own identity as to any other, and nothing of it is
// recorded as a call or forwarded. The client is the official SDK client, as is each upstream.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';

let f: McpFixture;
let replica: TestGateway;

before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-mcp-ended-'));
  const stdio = {
    name: 'local-tools',
    type: 'mcp',
    upstream: 'stdio',
    command: [process.execPath, '--import', 'tsx', 'src/demo/mcp-tools/stdio.ts', root],
    allow: ['group:ai-eng', 'group:contractors'],
  };
  f = await startMcpFixture({ connections: [{}, stdio] }, { store: 'postgres' });
  // A second replica on the same store: it accepts the first one's session ids.
  replica = await startTestGateway({ store: f.gateway.postgresStore!.section, connections: [stdio] });
});

after(async () => {
  await replica?.close();
  await f?.close();
  await closeSharedTestPostgres();
});

function sessionIdOf(client: Client): string {
  return (client as unknown as { transport: { sessionId: string } }).transport.sessionId;
}

/** An SDK client that takes up session `sid` without initializing (as a client resuming does). */
async function resume(url: string, sid: string, token: string): Promise<Client> {
  const client = new Client({ name: 'vigil-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      sessionId: sid,
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

async function callsIn(connection: string): Promise<number> {
  await f.gateway.recorder.drain();
  const sessions = await f.gateway.store.ledger.listSessions({ connection, limit: 1000 });
  let n = 0;
  for (const s of sessions) {
    n += (await f.gateway.store.ledger.readSession(s.id)).filter((e) => e.type === 'mcp.call').length;
  }
  return n;
}

for (const connection of ['local-tools', 'tools']) {
  test(`${connection}: a session its client ended is unknown afterwards, on every replica`, async () => {
    const url = `${f.gateway.url}/c/${connection}/mcp`;
    const alice = await sdkClient(url, TOKENS.alice);
    const sid = sessionIdOf(alice);
    assert.deepEqual((await alice.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).content, [
      { type: 'text', text: '3' },
    ]);
    const calls = await callsIn(connection);
    await (alice as unknown as { transport: StreamableHTTPClientTransport }).transport.terminateSession();
    await alice.close();
    const arrivals = f.arrivals.length;

    for (const [gatewayUrl, token] of [
      [f.gateway.url, TOKENS.alice],
      [replica.url, TOKENS.alice],
      [f.gateway.url, TOKENS.bob],
    ] as const) {
      if (connection === 'tools' && gatewayUrl === replica.url) continue;
      const again = await resume(`${gatewayUrl}/c/${connection}/mcp`, sid, token);
      try {
        await assert.rejects(again.callTool({ name: 'add', arguments: { a: 2, b: 2 } }), /404|session/i);
      } finally {
        await again.close();
      }
      const raw = await fetch(`${gatewayUrl}/c/${connection}/mcp`, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sid, accept: 'text/event-stream' },
      });
      await raw.arrayBuffer();
      assert.equal(raw.status, 404, 'the GET stream of an ended session');
    }
    assert.equal(await callsIn(connection), calls, 'no call of the ended session was recorded');
    // (A GET the first client opened may still arrive; it carries no message.)
    const messages = f.arrivals.slice(arrivals).filter((a) => a.method !== null);
    assert.deepEqual(messages, [], 'no message of the ended session reached the upstream');
  });
}

test('a session not ended goes on; a DELETE of an ended one is 404', async () => {
  const url = `${f.gateway.url}/c/local-tools/mcp`;
  const alice = await sdkClient(url, TOKENS.alice);
  const sid = sessionIdOf(alice);
  const other = await sdkClient(url, TOKENS.alice);
  await (other as unknown as { transport: StreamableHTTPClientTransport }).transport.terminateSession();
  await other.close();
  assert.deepEqual((await alice.callTool({ name: 'add', arguments: { a: 5, b: 5 } })).content, [
    { type: 'text', text: '10' },
  ]);
  await (alice as unknown as { transport: StreamableHTTPClientTransport }).transport.terminateSession();
  const res = await fetch(url, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'mcp-session-id': sid },
  });
  await res.arrayBuffer();
  assert.equal(res.status, 404);
  await alice.close();
});
