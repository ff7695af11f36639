// A server tells the client which resources changed (`notifications/resources/updated`), and it may
// name any URI, subscribed or not: one a read rule denies reached the client through such a
// notification, on a call's stream or on the GET stream, though a read or a subscription of it is
// refused. Real parts: the official SDK's server and client, Vigil between them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { StoredEvent } from '../../src/core/events.js';
import {
  assertLedgerVerifies,
  recordedEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

function updatingServer(): McpServer {
  const server = new McpServer({ name: 'updating', version: '1.0.0' });
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.registerTool(
    'poke',
    { inputSchema: { stream: z.enum(['call', 'get']) } },
    async ({ stream }, extra) => {
      for (const uri of ['vault://payroll-2026', 'demo://notes']) {
        const notification = { method: 'notifications/resources/updated' as const, params: { uri } };
        // On the call's own stream, or on the GET stream (a notification tied to no request).
        if (stream === 'call') await extra.sendNotification(notification);
        else await server.server.notification(notification);
      }
      return { content: [{ type: 'text', text: 'poked' }] };
    },
  );
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;
const updated: string[] = [];

before(async () => {
  upstream = await serveSdkOverHttp(updatingServer);
  gateway = await startTestGateway({
    policy: {
      rules: [{ name: 'no-vault', match: { events: ['mcp.read'], pattern: '^vault://' }, action: 'deny' }],
    },
    connections: [{ name: 'night', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
  });
  alice = await sdkClient(`${gateway.url}/c/night/mcp`, TOKENS.alice);
  alice.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updated.push(n.params.uri);
  });
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

const recorded = (type: string) => recordedEvents(gateway, type);

async function withheldRecords(): Promise<StoredEvent[]> {
  return (await recorded('mcp.server_notification')).filter(
    (e) => e.payload?.method === 'notifications/resources/updated' && e.payload.withheld === 'no-vault',
  );
}

test("an update naming a denied resource on a call's stream is withheld and recorded", async () => {
  updated.length = 0;
  await alice.callTool({ name: 'poke', arguments: { stream: 'call' } });
  assert.deepEqual(updated, ['demo://notes'], 'only the update a read rule allows reaches the client');
  const withheld = await withheldRecords();
  assert.equal(withheld.length, 1);
  assert.equal((withheld[0]?.payload?.params as { uri?: string } | undefined)?.uri, 'vault://payroll-2026');
});

test('an update naming a denied resource on the GET stream is withheld too', async () => {
  updated.length = 0;
  // The client opens its GET stream on its own after initializing: poked until it carries one.
  for (let i = 0; i < 50 && !updated.includes('demo://notes'); i += 1) {
    await alice.callTool({ name: 'poke', arguments: { stream: 'get' } });
    await sleep(100);
  }
  assert.ok(updated.includes('demo://notes'), 'the GET stream carried the allowed update');
  assert.ok(!updated.some((u) => u.startsWith('vault://')), 'the denied one never reached the client');
  const onGet = (await withheldRecords()).filter((e) => e.payload?.request_id === undefined);
  assert.ok(onGet.length >= 1, 'withheld on the GET stream, recorded');
  await assertLedgerVerifies(gateway);
});
