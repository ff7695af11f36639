// Attacks on an `http` connection with methods whose targets are not the path the rules read. The
// upstream here answers as the servers these methods exist for do: BIND makes the resource its
// body's href names reachable under the request path (RFC 5842), a CalDAV REPORT
// (calendar-multiget) answers every href its body names, and TRACE echoes the request it got as
// `message/http` (Apache's default, TraceEnable on). Vigil forwarded any method the HTTP parser
// accepts and judged the request path alone: `/admin/keys` (denied) was read through a BIND and a
// REPORT sent to `/public`, and a TRACE showed the client the headers Vigil sends upstream (the
// injected credential came back masked, as every known secret in a response does). Such methods
// are now refused before the upstream sees them, unless the connection lists them in
// `methods_judged_by_path`.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const KEY = 'sk-proj-BodyTargetsNeverLeaveTheGateway0123456789';
let upstream: Server;
let gateway: TestGateway;
/** Resources the upstream serves; BIND adds names for existing ones. */
const resources = new Map<string, string>([
  ['/public/page', 'public page'],
  ['/admin/keys', 'the admin keys'],
]);
const seen: { method: string; url: string }[] = [];

function href(body: string): string[] {
  return [...body.matchAll(/<(?:D:)?href>([^<]*)<\/(?:D:)?href>/g)].map((m) => m[1]!);
}

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      seen.push({ method: req.method ?? '', url });
      if (req.method === 'TRACE') {
        const lines = [`TRACE ${url} HTTP/1.1`];
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
          lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        res.writeHead(200, { 'content-type': 'message/http' });
        res.end(`${lines.join('\r\n')}\r\n\r\n`);
        return;
      }
      if (req.method === 'BIND') {
        const segment = /<(?:D:)?segment>([^<]*)</.exec(body)?.[1] ?? '';
        const target = resources.get(href(body)[0] ?? '');
        if (target === undefined) return void res.writeHead(404).end();
        resources.set(`${url.replace(/\/$/, '')}/${segment}`, target);
        res.writeHead(201).end();
        return;
      }
      if (req.method === 'REPORT') {
        const found = href(body).map(
          (h) => `<D:response><D:href>${h}</D:href>${resources.get(h)}</D:response>`,
        );
        res.writeHead(207, { 'content-type': 'application/xml' });
        res.end(`<D:multistatus xmlns:D="DAV:">${found.join('')}</D:multistatus>`);
        return;
      }
      const found = resources.get(url);
      if (found === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(found);
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_BODY_TARGETS_KEY = KEY;
  const connection = {
    type: 'http',
    upstream: url,
    credential: 'env:VIGIL_TEST_BODY_TARGETS_KEY',
    allow: ['group:ai-eng'],
    rules: [{ path: '/admin/**', action: 'deny' }],
  };
  gateway = await startTestGateway({
    connections: [
      { name: 'api', ...connection },
      // The operator accepts REPORT judged by its path here (a calendar server behind its own checks).
      { name: 'cal', ...connection, methods_judged_by_path: ['REPORT'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

function send(
  connection: string,
  method: string,
  path: string,
  body = '',
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(gateway.url);
  const headers = {
    authorization: `Bearer ${TOKENS.alice}`,
    ...(body ? { 'content-type': 'application/xml' } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path: `/c/${connection}${path}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bindAdminKeys =
  '<D:bind xmlns:D="DAV:"><D:segment>keys</D:segment><D:href>/admin/keys</D:href></D:bind>';
const multigetAdminKeys =
  '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop/><D:href>/admin/keys</D:href></C:calendar-multiget>';

test('TRACE is refused: its echo shows the client what Vigil sends upstream', async () => {
  const before = seen.length;
  const res = await send('api', 'TRACE', '/public/page');
  assert.equal(res.status, 400, res.body);
  assert.doesNotMatch(res.body, new RegExp(KEY), 'the credential came back to the client');
  assert.match(res.body, /method_unknown/);
  assert.deepEqual(seen.slice(before), [], 'the upstream never saw the TRACE');
});

test('a BIND or REPORT naming a denied resource in its body is refused, and the resource stays out of reach', async () => {
  const before = seen.length;
  const bound = await send('api', 'BIND', '/public/', bindAdminKeys);
  assert.equal(bound.status, 400, bound.body);
  const read = await send('api', 'GET', '/public/keys');
  assert.notEqual(read.body, 'the admin keys', 'BIND made /admin/keys readable under /public');
  const report = await send('api', 'REPORT', '/public/', multigetAdminKeys);
  assert.equal(report.status, 400, report.body);
  assert.doesNotMatch(report.body, /the admin keys/);
  for (const method of ['SEARCH', 'REBIND', 'UNBIND', 'MERGE', 'LINK', 'PURGE']) {
    assert.equal((await send('api', method, '/public/page')).status, 400, method);
  }
  assert.deepEqual(
    seen.slice(before).map((s) => `${s.method} ${s.url}`),
    ['GET /public/keys'],
    'only the GET reached the upstream',
  );
  // The direct way stays denied, and the methods rules know still pass.
  assert.equal((await send('api', 'GET', '/admin/keys')).status, 403);
  assert.equal((await send('api', 'GET', '/public/page')).body, 'public page');
  assert.equal((await send('api', 'PROPFIND', '/public/page')).status, 200);
});

test('a method the connection lists in methods_judged_by_path is forwarded, judged by its path', async () => {
  const report = await send('cal', 'REPORT', '/public/', multigetAdminKeys);
  assert.equal(report.status, 207, report.body);
  assert.equal((await send('cal', 'REPORT', '/admin/', multigetAdminKeys)).status, 403);
  assert.equal((await send('cal', 'BIND', '/public/', bindAdminKeys)).status, 400, 'only REPORT is listed');
});

test('the refusals are recorded with the method, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'api', 'http.request')).filter((e) => e.payload?.refused);
  const methods = new Set(refused.map((e) => String(e.payload?.method)));
  for (const m of ['TRACE', 'BIND', 'REPORT', 'SEARCH', 'REBIND', 'UNBIND', 'MERGE', 'LINK', 'PURGE'])
    assert.ok(methods.has(m), `${m} is not among the refused requests recorded: ${[...methods]}`);
  const bind = refused.find((e) => e.payload?.method === 'BIND');
  assert.match(JSON.stringify(bind?.payload?.body), /admin\/keys/, 'the refused body is in the record');
  await assertLedgerVerifies(gateway);
});
