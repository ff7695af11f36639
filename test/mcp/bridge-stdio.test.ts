// The other transports: the official SDK client over stdio through `vigil mcp-bridge`, an upstream
// that Vigil spawns itself (stdio, with its secret injected into the environment), and a session
// carried on by another gateway replica that never saw it start (HTTP and stdio upstreams).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { openStore } from '../../src/store/index.js';
import {
  assertLedgerVerifies,
  openSharedStore,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture, UPSTREAM_TOKEN } from './fixture.js';
import { sessionHeaders } from './raw-calls.js';

let f: McpFixture;
let stdioGateway: TestGateway;
let stdioRoot: string;

function stdioSettings(root: string) {
  return {
    connections: [
      {
        name: 'local-tools',
        type: 'mcp',
        upstream: 'stdio',
        command: [
          process.execPath,
          '--import',
          'tsx',
          'src/demo/mcp-tools/stdio.ts',
          root,
          '--require-secret',
        ],
        env: { VIGIL_DEMO_TOOLS_SECRET: 'env:VIGIL_TEST_STDIO_SECRET' },
        allow: ['group:ai-eng'],
      },
    ],
  };
}

before(async () => {
  f = await startMcpFixture();
  process.env.VIGIL_TEST_STDIO_SECRET = 'stdio-secret-value';
  stdioRoot = mkdtempSync(join(tmpdir(), 'vigil-mcp-stdio-'));
  writeFileSync(join(stdioRoot, 'note.txt'), 'a note\n');
  stdioGateway = await startTestGateway(stdioSettings(stdioRoot));
});

after(async () => {
  await stdioGateway?.close();
  await f?.close();
});

test('the SDK client over stdio through vigil mcp-bridge gets what a direct client gets', async () => {
  const client = new Client({ name: 'bridge-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        'src/cli/run.ts',
        'mcp-bridge',
        'tools',
        '--gateway',
        f.gateway.url,
        '--token',
        TOKENS.alice,
      ],
      env: { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: '/nonexistent', VIGIL_TOKEN: '' },
      stderr: 'pipe',
    }),
  );
  const direct = await sdkClient(f.upstream.url, UPSTREAM_TOKEN);
  try {
    assert.deepEqual(await client.listTools(), await direct.listTools());
    const call = { name: 'add', arguments: { a: 20, b: 22 } };
    assert.deepEqual(await client.callTool(call), await direct.callTool(call));
    const recorded = (await f.events('mcp.call')).filter((e) => e.payload?.tool === 'add');
    assert.ok(recorded.some((e) => e.identity.subject === 'alice'));
    assert.ok(f.arrivals.filter((a) => a.tool === 'add').every((a) => a.recordedFirst));
  } finally {
    await client.close();
    await direct.close();
  }
});

test('a stdio upstream is spawned with its secret injected, and its tools are recorded', async () => {
  const client = await sdkClient(`${stdioGateway.url}/c/local-tools/mcp`, TOKENS.alice);
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'read_file'));
    const read = await client.callTool({ name: 'read_file', arguments: { path: 'note.txt' } });
    assert.deepEqual(read.content, [{ type: 'text', text: 'a note\n' }]);
  } finally {
    await client.close();
  }
  // The answer's record is deferred (it rides with the next commit): wait for what is queued.
  await stdioGateway.recorder.drain();
  const sessions = await stdioGateway.store.ledger.listSessions({ connection: 'local-tools' });
  const events = (await Promise.all(sessions.map((s) => stdioGateway.store.ledger.readSession(s.id)))).flat();
  assert.ok(events.some((e) => e.type === 'mcp.call' && e.payload?.tool === 'read_file'));
  assert.ok(events.some((e) => e.type === 'mcp.result' && e.payload?.tool === 'read_file'));
  // The secret reached the process's environment, never the ledger.
  assert.ok(!JSON.stringify(events).includes('stdio-secret-value'));
});

async function postWithSession(url: string, sid: string, body: object): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: sessionHeaders(sid),
    body: JSON.stringify(body),
  });
}

async function answerOf(res: Response): Promise<{ result?: { content?: unknown } }> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    return data.at(-1);
  }
  return JSON.parse(text);
}

/**
 * A data directory whose store holds the session-id keys of these gateways' connections, as the
 * store replicas share would: a replica accepts only the session ids its store's key authenticates.
 */
async function withSessionKeysOf(sources: readonly [TestGateway, string][]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-test-replica-'));
  const store = await openStore({ ...f.gateway.config, append_in_worker: false }, dir);
  try {
    for (const [gateway, connection] of sources) {
      const source = await openSharedStore(gateway);
      try {
        const key = await source.moduleState.get('mcp-session-keys', connection);
        assert.ok(key, connection);
        await store.moduleState.put('mcp-session-keys', connection, key);
      } finally {
        await source.close();
      }
    }
  } finally {
    await store.close();
  }
  return dir;
}

test('another replica carries on a session it never saw start (HTTP and stdio upstreams)', async () => {
  const replica = await startTestGateway(
    { connections: [{ ...f.gateway.config.connections[0] }, ...stdioSettings(stdioRoot).connections] },
    await withSessionKeysOf([
      [f.gateway, 'tools'],
      [stdioGateway, 'local-tools'],
    ]),
  );
  try {
    for (const [first, name] of [
      [f.gateway, 'tools'],
      [stdioGateway, 'local-tools'],
    ] as const) {
      const client = await sdkClient(`${first.url}/c/${name}/mcp`, TOKENS.alice);
      const sid = (client as unknown as { transport: { sessionId: string } }).transport.sessionId;
      await client.listTools();
      const res = await postWithSession(`${replica.url}/c/${name}/mcp`, sid, {
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'add', arguments: { a: 3, b: 4 } },
      });
      assert.equal(res.status, 200, name);
      const answer = await answerOf(res);
      assert.deepEqual(answer.result?.content, [{ type: 'text', text: '7' }], name);
      await client.close();
    }
  } finally {
    await replica.close();
  }
});

test('stateless revision (2026-07-28): a request without initialize or session id is served and recorded', async () => {
  const res = await fetch(`${stdioGateway.url}/c/local-tools/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'mcp-protocol-version': '2026-07-28',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 's1',
      method: 'tools/call',
      params: { name: 'multiply', arguments: { a: 6, b: 7 } },
    }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('mcp-session-id'), null, 'no session is created');
  assert.deepEqual((await answerOf(res)).result?.content, [{ type: 'text', text: '42' }]);
  // The answer's record is deferred (it rides with the next commit): wait for what is queued.
  await stdioGateway.recorder.drain();
  const sessions = await stdioGateway.store.ledger.listSessions({ connection: 'local-tools' });
  const events = (await Promise.all(sessions.map((s) => stdioGateway.store.ledger.readSession(s.id)))).flat();
  assert.ok(events.some((e) => e.type === 'mcp.call' && e.payload?.tool === 'multiply'));
  // Without the stateless revision's header, a request outside a session is refused.
  const refused = await fetch(`${stdioGateway.url}/c/local-tools/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 's2', method: 'tools/list' }),
  });
  assert.equal(refused.status, 400);
});

test('the ledgers verify', async () => {
  await assertLedgerVerifies(f.gateway);
  await assertLedgerVerifies(stdioGateway);
});
