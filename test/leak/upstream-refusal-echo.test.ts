// The credential Vigil injects never leaves Vigil: clients hold only their Vigil token. An upstream
// that refuses a request may quote the key it was sent (an OpenAI-compatible proxy answering 401
// `Invalid API key: sk-…`); relayed as it came, that refusal handed the client the real upstream
// key. A refusal now reaches the client masked, as JSON and as text, like its record, on model
// connections and on HTTP API connections alike.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

const UPSTREAM_KEY = 'sk-proj-RefusedKeyOnlyVigilHolds0123456789abcdefXYZ';

let upstream: Server;
let gateway: TestGateway;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (req.headers['x-answer'] === 'fine') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('fine: nothing quoted');
        return;
      }
      if (req.headers['x-answer'] === 'utf-16') {
        // An echo of the request in UTF-16: an httpbin-style debug route that answers in the
        // charset the client asked for, or a Windows tool's output.
        const big = req.headers['x-status'] === 'refusal';
        const text = Buffer.from(`\ufeffheaders: authorization=Bearer ${key}`, 'utf16le');
        res.writeHead(big ? 401 : 200, {
          'content-type': `text/plain; charset=${big ? 'utf-16be' : 'utf-16le'}`,
        });
        res.end(big ? Buffer.from(text).swap16() : text);
        return;
      }
      if (req.headers['x-answer'] === 'text') {
        // In two writes cut inside the key: a refusal streamed in pieces is masked as a whole.
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.write(`forbidden: key ${key.slice(0, 20)}`);
        setTimeout(() => res.end(`${key.slice(20)} has no access to this model`), 20);
        return;
      }
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: `Invalid API key: ${key}`, type: 'invalid_request_error' } }),
      );
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  process.env.VIGIL_LEAK_REFUSED_KEY = UPSTREAM_KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
        credential: 'env:VIGIL_LEAK_REFUSED_KEY',
        allow: ['*'],
      },
      {
        name: 'api',
        type: 'http',
        upstream: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
        credential: 'env:VIGIL_LEAK_REFUSED_KEY',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await new Promise((r) => upstream.close(r));
});

const ask = (headers: Record<string, string> = {}, stream = false) =>
  fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'hello' }] }),
  });

test('an upstream refusal that quotes the injected key reaches the client masked', async () => {
  for (const [headers, stream] of [
    [{}, false],
    [{}, true],
    [{ 'x-answer': 'text' }, false],
  ] as const) {
    const res = await ask(headers, stream);
    const body = await res.text();
    assert.ok(res.status === 401 || res.status === 403, `${res.status} ${body}`);
    assert.ok(!body.includes(UPSTREAM_KEY), `the client got the upstream key: ${body}`);
    assert.match(body, /\[MASKED:(known-secret|openai-key):[0-9a-f]{6}\]/);
  }
  await gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(gateway.dataDir))
    assert.ok(!bytes.includes(Buffer.from(UPSTREAM_KEY)), `${path} holds the upstream key`);
});

test('an HTTP API upstream refusal that quotes the injected key reaches the client masked, also when it comes in pieces', async () => {
  const variants: Record<string, string>[] = [{}, { 'x-answer': 'text' }];
  for (const headers of variants) {
    const res = await fetch(`${gateway.url}/c/api/v1/things`, {
      headers: { authorization: `Bearer ${TOKENS.alice}`, ...headers },
    });
    const body = await res.text();
    assert.ok(res.status === 401 || res.status === 403, `${res.status} ${body}`);
    assert.ok(!body.includes(UPSTREAM_KEY), `the client got the upstream key: ${body}`);
    assert.match(body, /\[MASKED:(known-secret|openai-key):[0-9a-f]{6}\]/);
  }
  // An answer that is not a refusal passes as it came.
  const ok = await fetch(`${gateway.url}/c/api/v1/things`, {
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'x-answer': 'fine' },
  });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'fine: nothing quoted');
});

test('an HTTP API answer that echoes the injected key in UTF-16 reaches the client masked', async () => {
  const spellings = [Buffer.from(UPSTREAM_KEY, 'utf16le'), Buffer.from(UPSTREAM_KEY, 'utf16le').swap16()];
  for (const status of ['ok', 'refusal']) {
    const res = await fetch(`${gateway.url}/c/api/v1/echo`, {
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'x-answer': 'utf-16', 'x-status': status },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, status === 'ok' ? 200 : 401);
    for (const spelling of spellings)
      assert.ok(!bytes.includes(spelling), `${status}: the client got the upstream key in UTF-16`);
    // What stays of the key's characters once every NUL is dropped, as a reader of the bytes would.
    assert.ok(!bytes.toString('latin1').replaceAll('\0', '').includes(UPSTREAM_KEY.slice(8, 24)), status);
  }
  await gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(gateway.dataDir))
    for (const spelling of spellings) assert.ok(!bytes.includes(spelling), `${path} holds the key in UTF-16`);
});
