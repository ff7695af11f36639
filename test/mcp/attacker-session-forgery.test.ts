// An Mcp-Session-Id is bound to the identity that initialized it. It was bound only by the subject
// written inside it, in clear: whoever saw another user's session id (a proxy log, a shared bug
// report) rewrote that subject to their own and, with their own token, drove the other user's
// upstream session (its upstream session id, or its stdio process), read its GET stream, or ended
// it. The id is now authenticated by the gateway (an HMAC under a key kept in the store), so an
// edited id is an unknown session.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';

let f: McpFixture;
let alice: Client;
let bob: Client;

before(async () => {
  f = await startMcpFixture();
  alice = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  bob = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.bob);
});

after(async () => {
  await alice?.close();
  await bob?.close();
  await f?.close();
});

function sessionIdOf(client: Client): string {
  return (client as unknown as { transport: { sessionId: string } }).transport.sessionId;
}

/** The readable part of a session id (`<version>.<base64url JSON>[.<anything after>]`). */
function stateOf(sid: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(sid.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** `sid` with its subject replaced, everything else kept as it was. */
function withSubject(sid: string, subject: unknown): string {
  const parts = sid.split('.');
  const state = { ...stateOf(sid), s: subject };
  parts[1] = Buffer.from(JSON.stringify(state)).toString('base64url');
  return parts.join('.');
}

function asBob(sid: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${f.gateway.url}/c/tools/mcp`, {
    method,
    headers: {
      authorization: `Bearer ${TOKENS.bob}`,
      'mcp-session-id': sid,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test("another user's session id rewritten to one's own subject is an unknown session", async () => {
  const bobSubject = stateOf(sessionIdOf(bob)).s;
  const forged = withSubject(sessionIdOf(alice), bobSubject);

  const call = await asBob(forged, 'POST', {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'add', arguments: { a: 40, b: 2 } },
  });
  assert.equal(call.status, 404, await call.text());
  assert.equal(call.headers.get('x-vigil-error'), 'session_unknown');

  const stream = await asBob(forged, 'GET');
  assert.equal(stream.status, 404);
  await stream.body?.cancel();

  const ended = await asBob(forged, 'DELETE');
  assert.equal(ended.status, 404);

  // Alice's session is untouched.
  const result = await alice.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
  assert.deepEqual(result.content, [{ type: 'text', text: '3' }]);
});

test("one's own session id pointed at another user's upstream session is refused", async () => {
  const result = await bob.callTool({ name: 'add', arguments: { a: 2, b: 2 } });
  assert.deepEqual(result.content, [{ type: 'text', text: '4' }]);
  const sid = sessionIdOf(bob);
  const parts = sid.split('.');
  const edited = { ...stateOf(sid), u: stateOf(sessionIdOf(alice)).u };
  parts[1] = Buffer.from(JSON.stringify(edited)).toString('base64url');
  const res = await asBob(parts.join('.'), 'POST', {
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: 'add', arguments: { a: 1, b: 1 } },
  });
  assert.equal(res.status, 404, await res.text());
  assert.equal(res.headers.get('x-vigil-error'), 'session_unknown');
});
