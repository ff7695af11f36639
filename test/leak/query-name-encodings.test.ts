// A query parameter's value is masked when its name is a secret name, whatever it looks like. The
// name was matched as written: `?%70assword=…`, which every server reads as `password`, and a JSON
// document percent-encoded in one value (`x=%7B%22password%22%3A%22…%22%7D`) were recorded in clear
// when the password was made of words, in the request's query and in an upstream's echo of the URL.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const PASSWORD = 'CorrectHorseBatteryStaple';

let upstream: Server;
let gateway: TestGateway;
const seen: string[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      // An httpbin-style echo: the URL as it arrived, and its parameters as the server decoded them.
      const url = new URL(req.url ?? '/', 'http://upstream');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: req.url, args: Object.keys(Object.fromEntries(url.searchParams)) }));
    });
  });
  gateway = await startTestGateway({
    connections: [{ name: 'api', type: 'http', upstream: await listenOnLoopback(upstream), allow: ['*'] }],
  });
});

after(async () => {
  await gateway?.close();
  await new Promise((r) => upstream?.close(r));
});

test('a secret query parameter with an escaped name, or JSON encoded in a value, is recorded masked', async () => {
  const queries = [
    `?%70assword=${PASSWORD}`,
    `?utm:source=mail&pass%77ord=${PASSWORD}`,
    `?x=${encodeURIComponent(JSON.stringify({ user: 'bob', password: PASSWORD }))}`,
  ];
  for (const query of queries) {
    const res = await fetch(`${gateway.url}/c/api/v1/login${query}`, {
      headers: { authorization: `Bearer ${TOKENS.alice}` },
    });
    assert.equal(res.status, 200, await res.text());
  }
  // The upstream got the request as the client sent it.
  assert.deepEqual(
    seen.map((u) => u.slice(u.indexOf('?'))),
    queries,
  );
  const requests = await connectionEvents(gateway, 'api', 'http.request');
  assert.equal(requests.length, queries.length);
  for (const e of requests) {
    const query = String((e.payload as { query: string }).query);
    assert.match(query, /\[MASKED:secret-field:[0-9a-f]{6}\]/, query);
    assert.ok(!query.includes(PASSWORD), query);
  }
  // What else around the password stays readable: the names as written, the document's other field.
  assert.ok(String((requests[0]!.payload as { query: string }).query).startsWith('?%70assword='));
  assert.ok(String((requests[2]!.payload as { query: string }).query).includes('%22user%22%3A%22bob%22'));
  for (const { path, bytes } of dataDirFiles(gateway.dataDir))
    assert.ok(!bytes.includes(Buffer.from(PASSWORD)), `${path} holds the password`);
});
