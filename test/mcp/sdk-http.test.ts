// The official MCP SDK client through Vigil over streamable HTTP, against the SDK-built demo tool
// server: listings and results identical to a direct connection, each call recorded before the
// upstream sees it, the upstream's credential injected and the client's token never passed on,
// and a caller without a token pointed at the protected-resource metadata.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture, UPSTREAM_TOKEN } from './fixture.js';

let f: McpFixture;
let through: Client;
let direct: Client;

before(async () => {
  f = await startMcpFixture();
  through = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  direct = await sdkClient(f.upstream.url, UPSTREAM_TOKEN);
});

after(async () => {
  await through?.close();
  await direct?.close();
  await f?.close();
});

test('the tool listing through Vigil is the upstream’s, and is recorded with each tool’s digest', async () => {
  const [via, straight] = [await through.listTools(), await direct.listTools()];
  assert.deepEqual(via, straight);
  const listings = await f.events('mcp.tools');
  assert.ok(listings.length >= 1);
  const tools = listings.at(-1)!.payload!.tools as { name: string; digest: string; status: string }[];
  assert.deepEqual(tools.map((t) => t.name).sort(), straight.tools.map((t) => t.name).sort());
  for (const t of tools) {
    assert.match(t.digest, /^[0-9a-f]{64}$/);
    assert.equal(t.status, 'pinned');
  }
});

test('tool results are identical to direct, recorded write-ahead, with the upstream credential injected', async () => {
  const calls = [
    { name: 'add', arguments: { a: 2, b: 40 } },
    { name: 'multiply', arguments: { a: 6, b: 7 } },
    { name: 'read_file', arguments: { path: 'hello.txt' } },
    { name: 'read_file', arguments: { path: '../etc/passwd' } },
  ];
  for (const call of calls) {
    const before = f.arrivals.length;
    assert.deepEqual(await through.callTool(call), await direct.callTool(call));
    const arrival = f.arrivals.slice(before).find((a) => a.tool === call.name);
    assert.ok(arrival, 'the call reached the upstream');
    assert.equal(arrival.recordedFirst, true, 'mcp.call was durable before the upstream saw the call');
    assert.equal(arrival.authorization, `Bearer ${UPSTREAM_TOKEN}`);
  }
  assert.ok(f.arrivals.every((a) => !String(a.authorization).includes(TOKENS.alice)));
  const results = await f.events('mcp.result');
  const add = results.find((e) => e.payload?.tool === 'add');
  assert.equal(add?.payload?.isError, false);
  assert.deepEqual(add?.payload?.structuredContent, { sum: 42 });
  const outside = results.filter((e) => e.payload?.tool === 'read_file').at(-1);
  assert.equal(outside?.payload?.isError, true);
});

test('a secret in tool arguments and results reaches the upstream but is masked in the ledger', async () => {
  const secret = 'AKIAIOSFODNN7EXAMPLE';
  await through.callTool({
    name: 'write_file',
    arguments: { path: 'creds.txt', content: `aws_access_key_id=${secret}` },
  });
  const read = await through.callTool({ name: 'read_file', arguments: { path: 'creds.txt' } });
  assert.deepEqual(read.content, [{ type: 'text', text: `aws_access_key_id=${secret}` }]);
  await f.gateway.recorder.drain();
  const recorded = JSON.stringify(
    [...(await f.events('mcp.call')), ...(await f.events('mcp.result'))].map((e) => e.payload),
  );
  assert.ok(recorded.includes('creds.txt'));
  assert.ok(!recorded.includes(secret), 'the key was masked before it was recorded');
});

test('what else a call or read carries to the server (_meta, a later field) is recorded with it', async () => {
  // The SDK puts a progress token in params._meta when the caller asks for progress.
  await through.callTool(
    { name: 'add', arguments: { a: 1, b: 2 }, _meta: { 'example.com/ticket': 'T-9' } },
    undefined,
    {
      onprogress: () => undefined,
    },
  );
  const call = (await f.events('mcp.call')).at(-1)!.payload!;
  assert.equal(call.tool, 'add');
  const params = call.params as { _meta: Record<string, unknown> };
  assert.equal(params._meta['example.com/ticket'], 'T-9');
  assert.ok(params._meta.progressToken !== undefined, 'the progress token the server saw is recorded');
  // A call without anything else records no params.
  await through.callTool({ name: 'add', arguments: { a: 3, b: 4 } });
  assert.equal((await f.events('mcp.call')).at(-1)!.payload!.params, undefined);
  // Reads too.
  await through.readResource({ uri: 'demo://readme', _meta: { 'example.com/ticket': 'T-10' } });
  const read = (await f.events('mcp.read')).at(-1)!.payload!;
  assert.deepEqual([read.uri, read.params], ['demo://readme', { _meta: { 'example.com/ticket': 'T-10' } }]);
});

test('resources/read and prompts/get are recorded before they are forwarded, results identical', async () => {
  assert.deepEqual(
    await through.readResource({ uri: 'demo://readme' }),
    await direct.readResource({ uri: 'demo://readme' }),
  );
  const prompt = { name: 'summarize', arguments: { path: 'hello.txt' } };
  assert.deepEqual(await through.getPrompt(prompt), await direct.getPrompt(prompt));
  assert.equal((await f.events('mcp.read')).at(-1)?.payload?.uri, 'demo://readme');
  assert.equal((await f.events('mcp.prompt')).at(-1)?.payload?.name, 'summarize');
});

test('resource and prompt listings are the upstream’s, and each answer is recorded as the client got it', async () => {
  const resources = await through.listResources();
  assert.deepEqual(resources, await direct.listResources());
  const prompts = await through.listPrompts();
  assert.deepEqual(prompts, await direct.listPrompts());
  await f.gateway.recorder.drain();
  const listings = await f.events('mcp.listing');
  const recorded = (method: string) => listings.filter((e) => e.payload?.method === method).at(-1)?.payload;
  assert.deepEqual(recorded('resources/list')?.result, JSON.parse(JSON.stringify(resources)));
  assert.deepEqual(recorded('prompts/list')?.result, JSON.parse(JSON.stringify(prompts)));
});

test('completion/complete is recorded, with the argument being typed, before it is forwarded', async () => {
  const request = {
    ref: { type: 'ref/prompt' as const, name: 'summarize' },
    argument: { name: 'path', value: 'hel' },
  };
  const outcome = async (c: Client) => c.complete(request).then(JSON.stringify, (e: Error) => e.message);
  assert.equal(await outcome(through), await outcome(direct));
  const [completion] = (await f.events('mcp.completion')).slice(-1);
  assert.deepEqual(completion?.payload?.argument, { name: 'path', value: 'hel' });
  const answered = (await f.events('mcp.result')).filter(
    (e) => e.payload?.read_id === completion?.payload?.read_id,
  );
  assert.equal(answered.length, 1, 'its answer is recorded beside it');
});

test('without a token: 401 pointing at the protected-resource metadata, recorded as access.denied', async () => {
  const res = await fetch(`${f.gateway.url}/c/tools/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(res.status, 401);
  const challenge = res.headers.get('www-authenticate') ?? '';
  const m = /resource_metadata="([^"]+)"/.exec(challenge);
  assert.ok(m, challenge);
  const metadata = (await (await fetch(m[1]!)).json()) as { resource: string };
  assert.equal(metadata.resource, `${f.gateway.url}/c/tools/mcp`);
  const bad = await fetch(`${f.gateway.url}/c/tools/mcp`, {
    method: 'POST',
    headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(bad.status, 401);
  assert.match(bad.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  const denied = await f.events('access.denied');
  assert.ok(denied.length >= 2);
});

test('a session id is bound to its caller: another identity presenting it is told to initialize again', async () => {
  const transport = (through as unknown as { transport: { sessionId?: string } }).transport;
  const sid = transport.sessionId!;
  const res = await fetch(`${f.gateway.url}/c/tools/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.bob}`,
      'mcp-session-id': sid,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'add', arguments: { a: 1, b: 1 } },
    }),
  });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-vigil-error'), 'session_unknown');
});

test('offboarding: disabling the caller cuts its call mid-stream, records it, and refuses it afterwards', async () => {
  const bob = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.bob);
  const sid = (bob as unknown as { transport: { sessionId: string } }).transport.sessionId;
  const res = await fetch(`${f.gateway.url}/c/tools/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.bob}`,
      'mcp-session-id': sid,
      'mcp-protocol-version': '2025-11-25',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 'long',
      method: 'tools/call',
      // Long enough that the CLI's disable lands first even on a loaded machine; cut, it ends at once.
      params: { name: 'sleep', arguments: { ms: 60_000 }, _meta: { progressToken: 'p' } },
    }),
  });
  const reader = res.body!.getReader();
  await reader.read(); // progress is flowing
  const disabled = await runCli([
    '--data',
    f.gateway.dataDir,
    'users',
    'disable',
    'bob',
    '--reason',
    'contract ended',
  ]);
  assert.equal(disabled.code, 0, disabled.stderr);
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
  } catch {
    // A cut stream may end with an error rather than an end.
  }
  assert.ok(!text.includes('slept'), 'the call was cut, not finished');
  const again = await fetch(`${f.gateway.url}/c/tools/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.bob}`,
      'mcp-session-id': sid,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  assert.equal(again.status, 401);
  assert.equal(again.headers.get('x-vigil-error'), 'auth_revoked');
  await bob.close().catch(() => undefined);
  const sessions = await f.gateway.store.ledger.listSessions({ identity: 'bob' });
  const events = (await Promise.all(sessions.map((s) => f.gateway.store.ledger.readSession(s.id)))).flat();
  assert.ok(events.some((e) => e.type === 'access.revoked'));
  const call = events.find((e) => e.type === 'mcp.call' && e.payload?.tool === 'sleep');
  const result = events.find((e) => e.type === 'mcp.result' && e.payload?.call_id === call?.payload?.call_id);
  assert.ok(result?.payload?.error, 'the cut call has its outcome recorded');
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(f.gateway);
});
