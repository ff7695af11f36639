import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { VigilError } from '../core/errors.js';
import { sendJson, sendJsonError } from './json-response.js';

/** Serves one request with `respond` and returns what a client received. */
async function served(respond: (res: ServerResponse) => void): Promise<Response> {
  const server = createServer((req, res) => {
    req.resume();
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await res
      .clone()
      .arrayBuffer()
      .catch(() => {});
    return res;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('a VigilError answers with its status, its code in x-vigil-error, and Vigil error body', async () => {
  const err = new VigilError('forbidden_role', 'GET /api/x needs the role admin');
  const res = await served((r) => sendJsonError(r, err));
  assert.equal(res.status, err.status);
  assert.equal(res.headers.get('x-vigil-error'), 'forbidden_role');
  assert.equal(res.headers.get('content-type'), 'application/json');
  const text = await res.text();
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
  assert.deepEqual(JSON.parse(text), {
    error: { code: 'forbidden_role', message: 'GET /api/x needs the role admin' },
  });
});

test("a protocol's own envelope and headers keep the status and the x-vigil-error header", async () => {
  const err = new VigilError('body_too_large', 'too large');
  const res = await served((r) =>
    sendJsonError(
      r,
      err,
      { type: 'error', error: { code: err.code } },
      {
        connection: 'close',
        'x-vigil-error': 'something_else',
        'content-type': 'text/plain',
      },
    ),
  );
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('x-vigil-error'), 'body_too_large', 'a caller cannot misreport the code');
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('connection'), 'close');
  assert.deepEqual(await res.json(), { type: 'error', error: { code: 'body_too_large' } });
});

test('an error after the answer began cuts the response instead of appending to it', async () => {
  const res = await served((r) => {
    r.writeHead(200, { 'content-type': 'text/event-stream' });
    r.write('data: partial\n\n');
    setTimeout(() => sendJsonError(r, new VigilError('record_failed', 'late')), 20);
  });
  assert.equal(res.status, 200);
  await assert.rejects(res.text(), 'the body must end in an error, not look complete');
});

test('sendJson writes the body and its exact length, with multi-byte text', async () => {
  const res = await served((r) => sendJson(r, 201, { name: 'José €' }, { 'cache-control': 'no-store' }));
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength('{"name":"José €"}')));
  assert.deepEqual(await res.json(), { name: 'José €' });
});
