// A resource listing (`resources/list`, `resources/templates/list`) names resources by URI, with a
// name and a description: one a read rule (`events: [mcp.read]`) denies or holds for review reached
// the client that way, though a read of it is refused. Real parts: the official SDK's low-level
// server (so the listing can be paged) and its client, Vigil between them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
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

// Two pages, so the cursor is seen to survive the filtering.
const PAGES: Record<
  string,
  { resources: { uri: string; name: string; description: string }[]; next?: string }
> = {
  first: {
    resources: [
      { uri: 'docs://readme', name: 'readme', description: 'the readme' },
      { uri: 'hr://files/payroll-2026.xlsx', name: 'payroll', description: 'salaries of everyone' },
      { uri: 'HR://files/merger-plan.docx', name: 'merger', description: 'the merger plan' },
    ],
    next: 'page-2',
  },
  'page-2': {
    resources: [
      { uri: 'vault://beta-keys', name: 'beta keys', description: 'signing keys' },
      { uri: 'vault://alpha', name: 'alpha', description: 'harmless' },
    ],
  },
};

function listingServer(): Server {
  const server = new Server({ name: 'listing', version: '1.0.0' }, { capabilities: { resources: {} } });
  server.setRequestHandler(ListResourcesRequestSchema, async (req) => {
    const page = PAGES[req.params?.cursor ?? 'first']!;
    return { resources: page.resources, ...(page.next ? { nextCursor: page.next } : {}) };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      { uriTemplate: 'docs://{page}', name: 'docs' },
      // Its literal prefix, `hr://files/`, is denied: every URI it makes is.
      { uriTemplate: 'hr://files/{name}', name: 'hr files', description: 'every hr file' },
      // Only some of the URIs it makes are held (`vault://beta…`): it stays listed.
      { uriTemplate: 'vault://{name}', name: 'vault' },
      { uriTemplate: 'vault://beta-{name}', name: 'beta vault' },
    ],
    nextCursor: 'templates-2',
  }));
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  upstream = await serveSdkOverHttp(listingServer);
  gateway = await startTestGateway({
    policy: {
      rules: [
        {
          name: 'no-hr-files',
          match: { events: ['mcp.read'], pattern: '^hr://files/' },
          action: 'deny',
        },
        {
          name: 'beta-reviewed',
          match: { events: ['mcp.read'], pattern: '^vault://beta' },
          action: 'review',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
    connections: [{ name: 'night', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
  });
  alice = await sdkClient(`${gateway.url}/c/night/mcp`, TOKENS.alice);
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

async function listings(method: string): Promise<StoredEvent[]> {
  return (await recordedEvents(gateway, 'mcp.listing')).filter(
    (e) => e.payload?.method === method && e.payload?.result,
  );
}

test('resources a read rule denies or holds are left out of each page, the cursor kept', async () => {
  const first = await alice.listResources();
  assert.deepEqual(
    first.resources.map((r) => r.uri),
    ['docs://readme'],
  );
  assert.equal(first.nextCursor, 'page-2', 'pagination survives');
  assert.ok(!JSON.stringify(first).includes('salaries'), 'nothing of a withheld resource reaches the client');
  const second = await alice.listResources({ cursor: first.nextCursor! });
  assert.deepEqual(
    second.resources.map((r) => r.uri),
    ['vault://alpha'],
  );
  const [one, two] = await listings('resources/list');
  assert.deepEqual(one?.payload?.withheld, [
    { uri: 'hr://files/payroll-2026.xlsx', rule: 'no-hr-files' },
    // Judged as the server's URL parser reads it, as a read is.
    { uri: 'HR://files/merger-plan.docx', rule: 'no-hr-files' },
  ]);
  assert.deepEqual(two?.payload?.withheld, [{ uri: 'vault://beta-keys', rule: 'beta-reviewed' }]);
  assert.equal(
    JSON.stringify(one?.payload?.result).includes('payroll'),
    false,
    'recorded as the client got it',
  );
});

test('templates whose URIs a read rule denies or holds are left out, the cursor kept', async () => {
  const listed = await alice.listResourceTemplates();
  assert.deepEqual(
    listed.resourceTemplates.map((t) => t.uriTemplate),
    ['docs://{page}', 'vault://{name}'],
  );
  assert.equal(listed.nextCursor, 'templates-2');
  const [record] = await listings('resources/templates/list');
  assert.deepEqual(record?.payload?.withheld, [
    { uri: 'hr://files/{name}', rule: 'no-hr-files' },
    { uri: 'vault://beta-{name}', rule: 'beta-reviewed' },
  ]);
  await assertLedgerVerifies(gateway);
});
