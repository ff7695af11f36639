// A resources/read whose URI is written another way than a deny rule names it. The official SDK's
// McpServer looks a resource up by `new URL(uri).toString()`, which lower-cases the scheme (and a
// web URL's host), resolves dot segments and drops `localhost` from a file URL; a handler that
// opens a file URL decodes its percent-escapes (`fileURLToPath`). A rule written against the URI
// the server serves (`demo://readme`, `file:///etc/passwd`) was read against the URI as sent, so
// `DEMO://readme` or `file:///etc/%70asswd` reached the server and was answered. Policy now reads a
// resource URI as a URL parser and a file handler read it too (uri-readings.ts).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { StoredEvent } from '../../src/core/events.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

/** The resource URIs that reached the upstream's handlers, as the handler resolved them. */
const served: string[] = [];

const FILES: Record<string, string> = { '/etc/passwd': 'root:x:0:0', '/srv/notes.txt': 'notes' };

function resourceServer(): McpServer {
  const server = new McpServer({ name: 'resources', version: '1.0.0' });
  server.registerResource('readme', 'demo://readme', {}, async (uri) => {
    served.push(uri.href);
    return { contents: [{ uri: uri.href, text: 'the readme' }] };
  });
  server.registerResource('payroll', 'https://intranet.example/payroll', {}, async (uri) => {
    served.push(uri.href);
    return { contents: [{ uri: uri.href, text: 'salaries' }] };
  });
  server.registerResource(
    'files',
    new ResourceTemplate('file:///{+path}', { list: undefined }),
    {},
    async (uri) => {
      // As a file server opens a file URL: percent-escapes decoded.
      const path = fileURLToPath(uri);
      served.push(path);
      return { contents: [{ uri: uri.href, text: FILES[path] ?? '' }] };
    },
  );
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  upstream = await serveSdkOverHttp(resourceServer);
  gateway = await startTestGateway({
    connections: [{ name: 'res', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
    policy: {
      rules: [
        { name: 'no-readme', match: { events: ['mcp.read'], pattern: 'demo://readme' }, action: 'deny' },
        {
          name: 'no-payroll',
          match: { events: ['mcp.read'], pattern: 'https://intranet\\.example/payroll' },
          action: 'deny',
        },
        { name: 'no-passwd', match: { events: ['mcp.read'], pattern: '^file:///etc/' }, action: 'deny' },
      ],
    },
  });
  alice = await sdkClient(`${gateway.url}/c/res/mcp`, TOKENS.alice);
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

async function reads(): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ limit: 1000 });
  const all: StoredEvent[] = [];
  for (const s of sessions) all.push(...(await gateway.store.ledger.readSession(s.id)));
  return all.filter((e) => e.type === 'mcp.read');
}

async function assertDenied(uri: string, rule: string): Promise<void> {
  const before = served.length;
  await assert.rejects(alice.readResource({ uri }), (err: unknown) => {
    assert.ok(err instanceof McpError, `${uri}: ${String(err)}`);
    assert.equal((err.data as { rule?: string } | undefined)?.rule, rule, uri);
    return true;
  });
  assert.deepEqual(served.slice(before), [], `${uri} reached the upstream's handler`);
}

test('the URIs as the rules name them are refused (the baseline)', async () => {
  await assertDenied('demo://readme', 'no-readme');
  await assertDenied('https://intranet.example/payroll', 'no-payroll');
  await assertDenied('file:///etc/passwd', 'no-passwd');
});

test('a scheme or host in another case is read as the server reads it', async () => {
  await assertDenied('DEMO://readme', 'no-readme');
  await assertDenied('HTTPS://INTRANET.EXAMPLE/payroll', 'no-payroll');
  await assertDenied('FILE:///etc/passwd', 'no-passwd');
});

test('dot segments, localhost and a missing authority in a URL are resolved for policy', async () => {
  await assertDenied('https://intranet.example/x/../payroll', 'no-payroll');
  await assertDenied('file:///srv/../etc/passwd', 'no-passwd');
  await assertDenied('file://localhost/etc/passwd', 'no-passwd');
  await assertDenied('file:/etc/passwd', 'no-passwd');
});

test('percent-escapes in a file URL are decoded for policy, as the handler decodes them', async () => {
  await assertDenied('file:///etc/%70asswd', 'no-passwd');
  await assertDenied('file:///%65tc/passwd', 'no-passwd');
});

test('a resource no rule names is still read, and recorded as the client sent it', async () => {
  const result = await alice.readResource({ uri: 'file:///srv/notes.txt' });
  assert.equal((result.contents[0] as { text: string }).text, 'notes');
  const read = (await reads()).find((e) => e.payload?.uri === 'file:///srv/notes.txt');
  assert.ok(read, 'recorded');
});
