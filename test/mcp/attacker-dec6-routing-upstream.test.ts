// An MCP connection whose upstream sits at a base path (`https://host/mcp`) behind a server that
// routes as gunicorn does (a `SCRIPT_NAME` header names a mount prefix stripped from the path, a
// `PATH_INFO` header replaces it, as does the ReverseProxied recipe's `X-Script-Name`) and resolves
// paths as Tomcat does (`;` parameters dropped before dot segments). Vigil builds every upstream
// header itself and POSTs to the configured URL whatever path the client used, and its own endpoint
// is `/mcp` exactly: no client header or path reaches another route there.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TOKENS } from '../support/gateway.js';
import type { McpFixture } from './fixture.js';
import { forwarded, requestBody, startProxiedMcpFixture } from './upstream-proxy.js';

let f: McpFixture;
let closeFixture: () => Promise<void>;
/** The path the upstream's router resolved, for each request it got. */
const routed: string[] = [];

/** The path as gunicorn, the ReverseProxied recipe and then Tomcat hand it to the application. */
function applicationPath(url: string, headers: IncomingHttpHeaders): string {
  let path = url.split('?')[0]!;
  const scriptName = headers.script_name?.toString() ?? '';
  if (scriptName !== '' && path.startsWith(scriptName)) path = path.slice(scriptName.length);
  if (headers.path_info !== undefined) path = headers.path_info.toString();
  const prefix = headers['x-script-name']?.toString() ?? '';
  if (prefix !== '' && path.startsWith(prefix)) path = path.slice(prefix.length);
  const out: string[] = [];
  for (const raw of path.split('/').slice(1)) {
    const segment = decodeURIComponent(raw.replace(/;.*$/s, ''));
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

before(async () => {
  ({ fixture: f, close: closeFixture } = await startProxiedMcpFixture(async (req, res, target) => {
    const path = applicationPath(req.url ?? '/', req.headers);
    routed.push(path);
    const body = await requestBody(req);
    if (path !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const { answer, headers } = await forwarded(target, req, body);
    res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
  }));
});

after(async () => {
  await closeFixture?.();
});

test('routing headers a client sends never reach the upstream, which runs its one endpoint', async () => {
  const attacks: Record<string, string>[] = [
    { SCRIPT_NAME: '/mcp' },
    { 'Script-Name': '/mcp' },
    { PATH_INFO: '/admin' },
    { 'X-Script-Name': '/mcp' },
    { X_Script_Name: '/mcp' },
  ];
  for (const headers of attacks) {
    const client = new Client({ name: 'vigil-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${f.gateway.url}/c/tools/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}`, ...headers } },
    });
    const before = routed.length;
    await client.connect(transport);
    try {
      await client.listTools();
    } finally {
      await client.close();
    }
    const seen = routed.slice(before);
    assert.ok(seen.length > 0, JSON.stringify(headers));
    assert.deepEqual([...new Set(seen)], ['/mcp'], JSON.stringify(headers));
  }
});

test('a client path that a Tomcat-style upstream would resolve elsewhere is refused at the gateway', async () => {
  const before = routed.length;
  for (const path of ['/mcp;x', '/mcp/..;/admin', '/x/..;/mcp', '/mcp/%2e%2e;', '/mcp/%252e%252e/admin']) {
    const res = await fetch(`${f.gateway.url}/c/tools${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKENS.alice}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('x-vigil-error'), 'route_unknown', path);
  }
  assert.deepEqual(routed.slice(before), [], 'the upstream saw none of them');
});
