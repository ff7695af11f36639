// Attacks on an `http` connection in front of an object store, run through the gateway against a
// real upstream that copies, links and concatenates objects as OpenStack Swift and S3 do: a `PUT`
// with `X-Copy-From` (Swift) or `x-amz-copy-source` (S3) copies the object the header names, and a
// later read of a Swift manifest or symlink serves the objects it names. The rules judge the path
// only, so `PUT /public/stolen` with `X-Copy-From: admin/secret` copied an object under a path a rule
// denies into one it allows, and the caller then read it with a plain GET (until 6 December). The
// same upstream acts as another user when a header names one, as GitLab (`Sudo`) and Kubernetes
// (`Impersonate-User`) do for an admin credential: forwarded unseen, Vigil's injected credential
// acted for whoever the caller named, recorded as its own request.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { sendThrough } from './send-through.js';

const SECRET = 'the payroll of every employee';
let upstream: Server;
let gateway: TestGateway;
/** The objects the store holds, by path; what it received. */
const objects = new Map<string, string>();
const seen: { method: string; url: string }[] = [];

/** A header as a WSGI server (Swift's) hands it to the application: underscores read as dashes. */
function cgiHeader(req: IncomingMessage, name: string): string | undefined {
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.replaceAll('_', '-') === name) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** A source named relative to the store's root, with or without its leading slash. */
function sourcePath(value: string): string {
  return `/${decodeURIComponent(value).replace(/^\/+/, '')}`;
}

before(async () => {
  objects.set('/admin/secret', SECRET);
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      const actingAs =
        cgiHeader(req, 'sudo') ??
        cgiHeader(req, 'impersonate-user') ??
        new URL(req.url ?? '/', 'http://x').searchParams.get('sudo') ??
        undefined;
      if (path === '/public/whoami') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(actingAs ?? 'vigil-service');
        return;
      }
      if (req.method === 'PUT') {
        const from = cgiHeader(req, 'x-copy-from') ?? cgiHeader(req, 'x-amz-copy-source');
        const manifest = cgiHeader(req, 'x-object-manifest');
        if (from !== undefined) objects.set(path, objects.get(sourcePath(from)) ?? '');
        else if (manifest !== undefined) {
          // A Swift dynamic large object: reading it concatenates every object under the prefix.
          const prefix = sourcePath(manifest);
          objects.set(
            path,
            [...objects]
              .filter(([k]) => k.startsWith(prefix))
              .map(([, v]) => v)
              .join(''),
          );
        } else objects.set(path, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(201).end();
        return;
      }
      const body = objects.get(path);
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_RESOURCE_HEADERS_KEY = 'swift-AUTH_tk0123456789abcdef0123456789';
  const connection = {
    type: 'http',
    upstream: url,
    credential: 'env:VIGIL_TEST_RESOURCE_HEADERS_KEY',
    auth: { scheme: 'header', header: 'X-Auth-Token' },
    allow: ['group:ai-eng'],
    rules: [
      { path: '/admin/**', action: 'deny' },
      { path: '/public/**', action: 'allow' },
    ],
    default_action: 'deny',
  };
  gateway = await startTestGateway({
    connections: [
      { name: 'store', ...connection },
      // An operator who accepts copies judged by the destination's path alone.
      {
        name: 'copies',
        ...connection,
        resource_headers_forwarded: ['X-Copy-From'],
        impersonation_headers_forwarded: ['Sudo'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const send = (
  connection: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
) => sendThrough(gateway.url, connection, method, path, headers, body);

test('the denied object cannot be read directly', async () => {
  const res = await send('store', 'GET', '/admin/secret');
  assert.equal(res.status, 403);
  assert.equal(res.code, 'policy_denied');
});

test('a PUT whose header copies, links or concatenates a denied object into an allowed path is refused', async () => {
  const attacks: [string, Record<string, string>][] = [
    ['/public/stolen-1', { 'X-Copy-From': 'admin/secret' }],
    ['/public/stolen-2', { 'x-amz-copy-source': '/admin/secret' }],
    ['/public/stolen-3', { 'X-Copy-From': '%61dmin/secret' }],
    // Swift runs behind WSGI, which reads `X_Copy_From` as `X-Copy-From`.
    ['/public/stolen-4', { X_Copy_From: 'admin/secret' }],
    ['/public/stolen-5', { 'X-Object-Manifest': 'admin/' }],
  ];
  for (const [path, headers] of attacks) {
    const before = seen.length;
    const put = await send('store', 'PUT', path, headers);
    assert.deepEqual(seen.slice(before), [], `${JSON.stringify(headers)} reached the upstream`);
    assert.equal(put.status, 400, `${JSON.stringify(headers)}: ${put.body}`);
    assert.equal(put.code, 'resource_header_refused');
    // What matters: the allowed path does not hand out the denied object.
    const read = await send('store', 'GET', path);
    assert.doesNotMatch(read.body, new RegExp(SECRET), `${path} served the denied object`);
  }
});

test('a plain PUT and GET under the allowed path pass', async () => {
  assert.equal((await send('store', 'PUT', '/public/note', {}, 'hello')).status, 201);
  const read = await send('store', 'GET', '/public/note');
  assert.equal(read.status, 200);
  assert.equal(read.body, 'hello');
});

test('a connection that lists the header forwards it, judged by the request path alone', async () => {
  assert.equal((await send('copies', 'PUT', '/public/copy', { 'X-Copy-From': 'public/note' })).status, 201);
  assert.equal((await send('copies', 'GET', '/public/copy')).body, 'hello');
  const manifest = await send('copies', 'PUT', '/public/m', { 'X-Object-Manifest': 'admin/' });
  assert.equal(manifest.code, 'resource_header_refused', 'only the header listed is forwarded');
});

test('a header naming another user for the credential to act as is refused', async () => {
  for (const headers of [
    { Sudo: 'root' },
    { X_Remote_User: 'root' },
    { 'Impersonate-User': 'system:admin' },
    { 'Impersonate-Extra-Scopes': 'admin' },
    { 'X-Remote-User': 'root' },
  ] as Record<string, string>[]) {
    const before = seen.length;
    const res = await send('store', 'GET', '/public/whoami', headers);
    assert.deepEqual(seen.slice(before), [], `${JSON.stringify(headers)} reached the upstream`);
    assert.equal(res.status, 400, `${JSON.stringify(headers)}: ${res.body}`);
    assert.equal(res.code, 'impersonation_refused');
  }
  // GitLab reads `sudo` as a parameter too, in the query or the body.
  for (const [path, type, body] of [
    ['/public/whoami?sudo=root', undefined, ''],
    ['/public/whoami', 'application/json', '{"sudo":"root"}'],
    ['/public/whoami', 'application/x-www-form-urlencoded', 'name=x&sudo=root'],
  ] as const) {
    const before = seen.length;
    const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
    const res = await send('store', 'POST', path, headers, body);
    assert.deepEqual(seen.slice(before), [], `${path} ${body} reached the upstream`);
    assert.equal(res.code, 'impersonation_refused', `${path} ${body}`);
  }
  assert.equal((await send('store', 'GET', '/public/whoami')).body, 'vigil-service');
});

test('an impersonation the connection accepts is forwarded and recorded', async () => {
  const res = await send('copies', 'GET', '/public/whoami', { Sudo: 'alice' });
  assert.equal(res.body, 'alice');
  const requests = await connectionEvents(gateway, 'copies', 'http.request');
  const recorded = requests.find((e) => e.payload?.path === '/public/whoami');
  assert.deepEqual(recorded?.payload?.forwarded_headers, { sudo: 'alice' });
  assert.equal((await send('copies', 'GET', '/public/whoami', { 'Impersonate-User': 'x' })).status, 400);
});

test('the refusals are recorded with the header, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'store', 'http.request')).filter(
    (e) => e.payload?.refused && e.payload?.refused_header,
  );
  const names = refused.map((e) => (e.payload?.refused_header as { name: string } | undefined)?.name);
  for (const name of ['x-copy-from', 'x-amz-copy-source', 'x-object-manifest', 'sudo', 'impersonate-user'])
    assert.ok(names.includes(name), `${name} is not among the refusals recorded: ${names}`);
  await assertLedgerVerifies(gateway);
});
