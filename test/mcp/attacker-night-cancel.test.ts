// A client that leaves while its tool call runs (its process dies, its connection drops) sends no
// cancellation: Vigil, which saw it leave, did not tell the upstream either, so a long-running tool
// ran on to completion with no one to answer and no record of its result. Real parts: the official
// SDK's server and client, Vigil between them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  assertLedgerVerifies,
  recordedEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

/** A promise and what settles it (Promise.withResolvers, which Node 20 lacks). */
function resolvers<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What the slow tool saw: that it started, and whether it was told to stop. */
const tool = { started: resolvers<void>(), stopped: resolvers<string>() };
/** Cancellations that reached the upstream. */
const cancellations: Record<string, unknown>[] = [];

function slowServer(): McpServer {
  const server = new McpServer({ name: 'slow', version: '1.0.0' });
  server.registerTool('slow', {}, async (extra) => {
    tool.started.resolve();
    // Runs for 30 s unless cancelled.
    const how = await Promise.race([
      new Promise<string>((r) =>
        extra.signal.addEventListener('abort', () => r('cancelled'), { once: true }),
      ),
      sleep(30_000, 'ran to completion'),
    ]);
    tool.stopped.resolve(how);
    return { content: [{ type: 'text', text: how }] };
  });
  return server;
}

/**
 * The same slow tool as a stdio server of the SDK's, for Vigil to spawn: it writes what happens to
 * the file named by its argument (`started`, then `cancelled` or `ran to completion`).
 */
const STDIO_SERVER = `
const { McpServer } = await import(${JSON.stringify(import.meta.resolve('@modelcontextprotocol/sdk/server/mcp.js'))});
const { StdioServerTransport } = await import(${JSON.stringify(import.meta.resolve('@modelcontextprotocol/sdk/server/stdio.js'))});
const { writeFileSync } = await import('node:fs');
const marker = process.argv[1];
const server = new McpServer({ name: 'slow-stdio', version: '1.0.0' });
server.registerTool('slow', {}, async (extra) => {
  writeFileSync(marker, 'started');
  const how = await new Promise((r) => {
    extra.signal.addEventListener('abort', () => r('cancelled'));
    setTimeout(() => r('ran to completion'), 30000).unref();
  });
  writeFileSync(marker, how);
  return { content: [{ type: 'text', text: how }] };
});
await server.connect(new StdioServerTransport());
`;
const marker = join(mkdtempSync(join(tmpdir(), 'vigil-mcp-cancel-')), 'slow-tool');

let upstream: SdkHttpServer;
let gateway: TestGateway;

before(async () => {
  upstream = await serveSdkOverHttp(slowServer, (_req, _raw, body) => {
    if (body?.method === 'notifications/cancelled')
      cancellations.push(body.params as Record<string, unknown>);
  });
  gateway = await startTestGateway({
    connections: [
      { name: 'night', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] },
      {
        name: 'night-stdio',
        type: 'mcp',
        upstream: 'stdio',
        command: [process.execPath, '--input-type=module', '-e', STDIO_SERVER, marker],
        allow: ['group:ai-eng'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

const recorded = (type: string) => recordedEvents(gateway, type);

test('a client that leaves mid-call has the upstream told to stop, and the cancellation recorded', async () => {
  const alice = await sdkClient(`${gateway.url}/c/night/mcp`, TOKENS.alice);
  const call = alice.callTool({ name: 'slow', arguments: {} }).catch(() => 'left');
  await tool.started.promise;
  // The client goes away without a word: its transport closes, its POST with it (the SDK sends no
  // cancellation on close).
  await alice.close();
  assert.equal(await call, 'left');
  const how = await Promise.race([tool.stopped.promise, sleep(5_000, 'still running after 5 s')]);
  assert.equal(how, 'cancelled', 'the tool was told to stop');
  assert.equal(cancellations.length, 1);
  const [sent] = cancellations;
  const callRecord = (await recorded('mcp.call')).find((e) => e.payload?.tool === 'slow');
  assert.equal(String(sent?.requestId), callRecord?.payload?.request_id, 'for the call the client left');
  const notes = (await recorded('mcp.client_notification')).filter(
    (e) => e.payload?.method === 'notifications/cancelled' && e.payload.origin === 'gateway',
  );
  assert.equal(notes.length, 1, 'the cancellation is recorded');
  assert.equal(notes[0]?.sessionId, callRecord?.sessionId);
  // The call's own result still says the client went away.
  const result = (await recorded('mcp.result')).find(
    (e) => e.payload?.call_id === callRecord?.payload?.call_id,
  );
  assert.ok(result?.payload?.error, 'the call is closed with an error');
  await assertLedgerVerifies(gateway);
});

/** What the stdio tool wrote so far. */
function stdioTool(): string {
  try {
    return readFileSync(marker, 'utf8');
  } catch {
    return '';
  }
}

async function until(what: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (what()) return true;
  return what();
}

test('a client that leaves mid-call to a stdio upstream has the process told to stop', async () => {
  const alice = await sdkClient(`${gateway.url}/c/night-stdio/mcp`, TOKENS.alice);
  const call = alice.callTool({ name: 'slow', arguments: {} }).catch(() => 'left');
  assert.ok(await until(() => stdioTool() === 'started', 10_000), 'the tool started');
  await alice.close();
  assert.equal(await call, 'left');
  assert.ok(
    await until(() => stdioTool() === 'cancelled', 5_000),
    `the tool was told to stop: ${stdioTool()}`,
  );
  const notes = (await recorded('mcp.client_notification')).filter((e) => e.payload?.origin === 'gateway');
  assert.equal(notes.length, 2, 'this cancellation is recorded too');
});
