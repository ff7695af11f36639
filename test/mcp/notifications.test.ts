// Notifications through Vigil, both ways, with the official SDK on both sides. A client's
// notification (initialized, roots changed, a cancellation with its free-text reason, a progress
// update with its message) carries the client's data to the server: it is recorded, masked, before
// the upstream has it, and is not forwarded when it cannot be recorded. A server's notification (a
// log line, progress) on a call's stream or on the GET stream is what the client was told: it is
// recorded, masked, in its place before the call's result. Until 5 December neither was recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { StoredEvent } from '../../src/core/events.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { sessionHeaders } from './raw-calls.js';
import { serveSdkOverHttp } from './sdk-http-server.js';

/** A key the masker knows by shape. */
const LEAKED = `ghp_${'N4tQ7wE2rT9yU1iO5pA8sD3fG6hJ0kL2zX4c'}`;

interface Arrival {
  readonly method: string;
  readonly body: string;
  /** Whether its mcp.client_notification was already committed when the upstream got it. */
  readonly recordedFirst: boolean;
}

interface Upstream {
  readonly url: string;
  /** Client notifications as they arrived. */
  readonly notifications: Arrival[];
  /** How many GET streams clients have opened (each counted once the server has had a moment to register it). */
  listening(): number;
  close(): Promise<void>;
}

function toolServer(): McpServer {
  const server = new McpServer({ name: 'chatty-tools', version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool('chatty', { description: 'Logs while it works.' }, async (extra) => {
    await extra.sendNotification({
      method: 'notifications/message',
      params: { level: 'info', data: `working with ${LEAKED}` },
    });
    const token = extra._meta?.progressToken;
    if (token !== undefined) {
      await extra.sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: 1, total: 2, message: 'half way' },
      });
    }
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.registerTool('announce', { description: 'Says something on the GET stream.' }, async () => {
    // No related request: the SDK sends it on the standalone (GET) stream.
    await server.server.notification({
      method: 'notifications/message',
      params: { level: 'warning', data: 'from the GET stream' },
    });
    return { content: [{ type: 'text', text: 'announced' }] };
  });
  return server;
}

async function startUpstream(committed: () => Promise<StoredEvent[]>): Promise<Upstream> {
  const notifications: Arrival[] = [];
  let streams = 0;
  const served = await serveSdkOverHttp(toolServer, async (req, raw, body) => {
    if (body && typeof body.method === 'string' && !('id' in body)) {
      const params = body.params as { requestId?: unknown } | undefined;
      const recorded = await committed().catch(() => []);
      notifications.push({
        method: body.method,
        body: raw,
        recordedFirst: recorded.some(
          (e) =>
            e.type === 'mcp.client_notification' &&
            e.payload?.method === body.method &&
            JSON.stringify((e.payload?.params as { requestId?: unknown } | undefined)?.requestId) ===
              JSON.stringify(params?.requestId),
        ),
      });
    }
    if (req.method === 'GET') {
      setTimeout(() => {
        streams++;
      }, 50);
    }
  });
  return { ...served, notifications, listening: () => streams };
}

let gateway: TestGateway;
let upstream: Upstream;

async function committedOf(gw: TestGateway): Promise<StoredEvent[]> {
  const sessions = await gw.store.ledger.listSessions({ limit: 1000 });
  const all: StoredEvent[] = [];
  for (const s of sessions) all.push(...(await gw.store.ledger.readSession(s.id)));
  return all.sort((a, b) => a.index - b.index);
}

async function recorded(type?: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  return (await committedOf(gateway)).filter((e) => type === undefined || e.type === type);
}

async function client(gw: TestGateway, logs: unknown[] = []): Promise<{ c: Client; sid: string }> {
  const c = new Client(
    { name: 'vigil-test', version: '1.0.0' },
    { capabilities: { roots: { listChanged: true } } },
  );
  c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params);
  });
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/c/chatty/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}` } },
  });
  await c.connect(transport);
  return { c, sid: transport.sessionId! };
}

function postNotification(gw: TestGateway, sid: string, method: string, params: object): Promise<Response> {
  return fetch(`${gw.url}/c/chatty/mcp`, {
    method: 'POST',
    headers: sessionHeaders(sid),
    body: JSON.stringify({ jsonrpc: '2.0', method, params }),
  });
}

before(async () => {
  upstream = await startUpstream(() => committedOf(gateway));
  gateway = await startTestGateway({
    connections: [{ name: 'chatty', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

test("a client's notifications are recorded, masked, before the upstream has them", async () => {
  const { c, sid } = await client(gateway);
  try {
    await c.sendRootsListChanged();
    const cancelled = await postNotification(gateway, sid, 'notifications/cancelled', {
      requestId: 'gone-1',
      reason: `the user pasted ${LEAKED} by mistake`,
    });
    assert.equal(cancelled.status, 202);
    const progress = await postNotification(gateway, sid, 'notifications/progress', {
      progressToken: 'p-1',
      progress: 3,
      message: `uploading with ${LEAKED}`,
    });
    assert.equal(progress.status, 202);

    const methods = upstream.notifications.map((n) => n.method);
    for (const method of [
      'notifications/initialized',
      'notifications/roots/list_changed',
      'notifications/cancelled',
      'notifications/progress',
    ]) {
      const arrival = upstream.notifications.find((n) => n.method === method);
      assert.ok(arrival, `${method} reached the upstream (${methods.join(', ')})`);
      assert.ok(arrival.recordedFirst, `${method} was in the ledger before the upstream had it`);
    }
    assert.ok(
      upstream.notifications.some((n) => n.body.includes(LEAKED)),
      'the upstream got the notifications as the client sent them',
    );

    const events = await recorded('mcp.client_notification');
    const reason = events.find((e) => e.payload?.method === 'notifications/cancelled');
    assert.equal((reason?.payload?.params as { requestId?: string } | undefined)?.requestId, 'gone-1');
    assert.match(JSON.stringify(reason?.payload), /the user pasted/);
    const stored = JSON.stringify(events.map((e) => e.payload));
    assert.match(stored, /uploading with/);
    assert.ok(!stored.includes(LEAKED), 'the key in a reason or message is masked in the ledger');
  } finally {
    await c.close();
  }
});

test("a server's notifications on a call's stream are recorded, masked, before the call's result", async () => {
  const logs: unknown[] = [];
  const { c } = await client(gateway, logs);
  try {
    const progress: number[] = [];
    const result = await c.callTool({ name: 'chatty', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    assert.deepEqual(result.content, [{ type: 'text', text: 'done' }]);
    assert.deepEqual(progress, [1]);
    assert.ok(JSON.stringify(logs).includes('working with'), 'the client got the log line');

    const events = await recorded();
    const call = events.find((e) => e.type === 'mcp.call' && e.payload?.tool === 'chatty');
    assert.ok(call, 'the call is recorded');
    const told = events.filter(
      (e) => e.type === 'mcp.server_notification' && e.payload?.request_id === call.payload?.request_id,
    );
    assert.deepEqual(
      told.map((e) => e.payload?.method),
      ['notifications/message', 'notifications/progress'],
    );
    assert.equal((told[1]?.payload?.params as { message?: string } | undefined)?.message, 'half way');
    const stored = JSON.stringify(told.map((e) => e.payload));
    assert.match(stored, /working with/);
    assert.ok(!stored.includes(LEAKED), 'the key in the log line is masked in the ledger');
    const answered = events.find(
      (e) => e.type === 'mcp.result' && e.payload?.call_id === call.payload?.call_id,
    );
    assert.ok(answered, 'the result is recorded');
    assert.ok(
      told.every((e) => e.sessionId === answered.sessionId && e.seq > call.seq && e.seq < answered.seq),
      'each is recorded in its place, between the call and its result',
    );
  } finally {
    await c.close();
  }
});

test("a server's notification on the GET stream is recorded, without a request", async () => {
  const logs: unknown[] = [];
  const streams = upstream.listening();
  const { c } = await client(gateway, logs);
  try {
    // The SDK client opens its GET stream once initialized; the server drops what it has no stream for.
    for (let i = 0; i < 100 && upstream.listening() === streams; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(upstream.listening() > streams, 'the client opened its GET stream through Vigil');
    await c.callTool({ name: 'announce', arguments: {} });
    for (let i = 0; i < 100 && !JSON.stringify(logs).includes('from the GET stream'); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(JSON.stringify(logs).includes('from the GET stream'), 'the client got it on its GET stream');
    const told = (await recorded('mcp.server_notification')).filter((e) =>
      JSON.stringify(e.payload).includes('from the GET stream'),
    );
    assert.equal(told.length, 1);
    assert.equal(told[0]?.payload?.method, 'notifications/message');
    assert.equal(told[0]?.payload?.request_id, undefined);
  } finally {
    await c.close();
  }
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(gateway);
});

test('a client notification that cannot be recorded is not forwarded', async () => {
  const gw = await startTestGateway({
    on_record_failure: 'fail-closed',
    connections: [{ name: 'chatty', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
  });
  const { c, sid } = await client(gw);
  try {
    const seen = upstream.notifications.length;
    sqliteDatabase(gw.store).close();
    const res = await postNotification(gw, sid, 'notifications/cancelled', {
      requestId: 'unrecorded-1',
      reason: 'never recorded, so never sent',
    });
    assert.notEqual(res.status, 202);
    assert.equal(res.headers.get('x-vigil-error'), 'record_failed');
    assert.deepEqual(upstream.notifications.slice(seen), [], 'nothing reached the upstream');
  } finally {
    await c.close().catch(() => undefined);
    await gw.close().catch(() => undefined);
  }
});
