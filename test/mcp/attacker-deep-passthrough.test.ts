// Requests Vigil forwards without a record of their own (ping, logging/setLevel,
// resources/subscribe, resources/unsubscribe) are housekeeping that runs nothing, but a request's
// params reach the server whatever they hold: a ping with `{"note": "<a secret>"}` or a `_meta`
// was a channel to the target that no record showed. Such a request is forwarded now only with the
// params its method defines; anything else is refused, recorded, and never forwarded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { EmptyResultSchema, SubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { sessionEvents, type TestGateway } from '../support/gateway.js';
import { type SdkGateway, startSdkGateway } from './sdk-gateway.js';

/** The raw bodies that reached the upstream. */
const arrived: string[] = [];

function server(): McpServer {
  const s = new McpServer(
    { name: 'quiet', version: '1.0.0' },
    { capabilities: { logging: {}, resources: { subscribe: true } } },
  );
  s.registerResource('readme', 'demo://readme', {}, async (uri) => ({
    contents: [{ uri: uri.href, text: 'x' }],
  }));
  s.server.setRequestHandler(SubscribeRequestSchema, async () => ({}));
  return s;
}

let fixture: SdkGateway | undefined;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  fixture = await startSdkGateway('quiet', server, (_req, raw) => {
    arrived.push(raw);
  });
  ({ gateway, alice } = fixture);
});

after(() => fixture?.close());

const recorded = () => sessionEvents(gateway);

/** Whatever reached the upstream with `marker` in it is also in some record. */
async function assertNothingUnrecorded(marker: string): Promise<void> {
  const events = await recorded();
  const inRecord = events.some((e) => JSON.stringify(e.payload ?? null).includes(marker));
  const atTarget = arrived.some((raw) => raw.includes(marker));
  assert.ok(!atTarget || inRecord, `${marker} reached the upstream and no record shows it`);
}

for (const [method, params] of [
  ['ping', { note: 'exfil-ping-31f0' }],
  ['ping', { _meta: { note: 'exfil-meta-8a2d' } }],
  ['logging/setLevel', { level: 'info', note: 'exfil-level-55c1' }],
  ['resources/subscribe', { uri: 'demo://readme', note: 'exfil-sub-a9e4' }],
] as const) {
  const marker = JSON.stringify(params).match(/exfil-[a-z]+-[0-9a-f]+/)![0];
  test(`${method} with params it does not define is not a channel around the record (${marker})`, async () => {
    // Refused with HTTP 400 (protocol_violation), which the SDK reports as a transport error.
    await alice.request({ method, params } as never, EmptyResultSchema).catch((err: unknown) => {
      assert.ok(err instanceof Error && /protocol_violation/.test(err.message), String(err));
    });
    await assertNothingUnrecorded(marker);
  });
}

test('the housekeeping requests as a client sends them still pass', async () => {
  await alice.ping();
  await alice.setLoggingLevel('debug');
  await alice.subscribeResource({ uri: 'demo://readme' });
});
