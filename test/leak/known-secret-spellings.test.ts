// The credential Vigil injects is masked wherever it appears, in the answers sent back to the client
// too, so the client never holds it. An upstream written in PHP (json_encode, Laravel) writes `/` as
// `\/`: a Basic credential whose base64 holds a `/`, echoed by such an upstream, matched none of the
// spellings Vigil looked for and reached the client, and the record, in clear. So did the same
// base64 put in a URL with its `/` and `+` percent-encoded (`%2F`, or `%2f` from other encoders).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const CREDENTIAL = 'svc:Never?Held?0123';
const BASIC = Buffer.from(CREDENTIAL).toString('base64');
/** The credential's base64 on either side of its `/`: neither may reach the client or the record. */
const PIECES = BASIC.replace(/=+$/, '').split('/');

let upstream: Server;
let gateway: TestGateway;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '');
      const encoded = auth.replace(/^Basic /, '');
      switch (req.headers['x-echo']) {
        case 'php':
          // What `echo json_encode(['headers' => getallheaders()]);` answers, slashes escaped.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ headers: { Authorization: auth }, seen: auth }).replaceAll('/', '\\/'));
          return;
        case 'url': {
          // A link carrying the credential in its query, as a URL encoder writes it.
          const lower = req.headers['x-case'] === 'lower';
          const q = encodeURIComponent(encoded).replace(/%[0-9A-F]{2}/g, (e) =>
            lower ? e.toLowerCase() : e,
          );
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`retry at https://upstream.example/v1/retry?basic=${q}`);
          return;
        }
        default:
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('nothing quoted');
      }
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_LEAK_SPELLING_CREDENTIAL = CREDENTIAL;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'php-api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_LEAK_SPELLING_CREDENTIAL',
        auth: { scheme: 'basic' },
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await new Promise((r) => upstream?.close(r));
});

test('a Basic credential echoed by a PHP upstream, or percent-encoded in a URL, reaches neither the client nor the record', async () => {
  assert.equal(PIECES.length, 2, 'the credential must hold a `/` in base64');
  const echoes: Record<string, string>[] = [
    { 'x-echo': 'php' },
    { 'x-echo': 'url' },
    { 'x-echo': 'url', 'x-case': 'lower' },
  ];
  for (const headers of echoes) {
    const res = await fetch(`${gateway.url}/c/php-api/v1/echo`, {
      headers: { authorization: `Bearer ${TOKENS.alice}`, ...headers },
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    for (const piece of PIECES) assert.ok(!body.includes(piece), `the client got the credential: ${body}`);
    assert.match(body, /\[MASKED:known-secret:[0-9a-f]{6}\]/, body);
  }
  // An answer without the credential passes as it came.
  const plain = await fetch(`${gateway.url}/c/php-api/v1/echo`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.equal(await plain.text(), 'nothing quoted');
  await gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(gateway.dataDir))
    for (const piece of [CREDENTIAL, ...PIECES])
      assert.ok(!bytes.includes(Buffer.from(piece)), `${path} holds ${piece}`);
});
