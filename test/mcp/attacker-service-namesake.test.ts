// Attacker: the user `deploy` beside the service account `deploy` (made as `vigil token create
// --service-account deploy` makes it), one subject and two holders. An Mcp-Session-Id is bound to the
// identity that initialized it; bound by subject alone, the user could take the service account's id
// (a shared CI log) and, with their own token, drive its upstream session, its ledger session and
// its stream, or end it. Real parts: the gateway, the demo tools server, the official MCP SDK.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { TEST_IDENTITIES } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';

const USER_DEPLOY = 'tok-deploy-user-0123456789';
let f: McpFixture;
let service: Client;

before(async () => {
  f = await startMcpFixture({
    identities: [
      ...TEST_IDENTITIES,
      { name: 'deploy', groups: [], roles: ['user'], token_sha256: hashToken(USER_DEPLOY) },
    ],
    connections: [{ allow: ['user:deploy', 'service:deploy'] }],
  });
  const token = (
    await createServiceToken(f.gateway.store.access, {
      name: 'deploy',
      connections: ['tools'],
      ttlMs: 3_600_000,
    })
  ).token;
  service = await sdkClient(`${f.gateway.url}/c/tools/mcp`, token);
});
after(async () => {
  await service?.close();
  await f?.close();
});

function asUser(sid: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${f.gateway.url}/c/tools/mcp`, {
    method,
    headers: {
      authorization: `Bearer ${USER_DEPLOY}`,
      'mcp-session-id': sid,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test("the user deploy cannot use the service account deploy's MCP session id", async () => {
  const sid = (service as unknown as { transport: { sessionId: string } }).transport.sessionId;
  const call = await asUser(sid, 'POST', {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'add', arguments: { a: 40, b: 2 } },
  });
  assert.equal(call.status, 404, await call.text());
  assert.equal(call.headers.get('x-vigil-error'), 'session_unknown');
  const ended = await asUser(sid, 'DELETE');
  assert.equal(ended.status, 404);
  await ended.arrayBuffer();
  // Nothing was recorded as the service account's by the user's requests, and its session goes on.
  const calls = await f.events('mcp.call');
  assert.deepEqual(
    calls.map((e) => [e.identity.kind, e.payload?.tool]),
    [],
    'no call ran in the service account session',
  );
  const result = await service.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
  assert.ok(!result.isError);
});
