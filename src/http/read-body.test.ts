import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import { readRequestBody } from './read-body.js';

/** A request whose body arrives in these chunks; `pulled` counts the chunks the reader asked for. */
function request(chunks: Iterable<Buffer>, headers: IncomingHttpHeaders = {}) {
  const counter = { pulled: 0 };
  function* counted() {
    for (const chunk of chunks) {
      counter.pulled++;
      yield chunk;
    }
  }
  const req = Object.assign(Readable.from(counted(), { objectMode: false }), { headers });
  return { req: req as unknown as IncomingMessage, counter };
}

async function tooLarge(promise: Promise<unknown>, limit: number): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof VigilError, String(err));
    assert.equal(err.code, 'body_too_large');
    assert.equal(err.status, 413);
    assert.deepEqual(err.details, { limit });
    return true;
  });
}

test('a body up to the limit is returned whole, however it is split', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }),
      fc.nat(40),
      async (parts, slack) => {
        const chunks = parts.map((p) => Buffer.from(p));
        const whole = Buffer.concat(chunks);
        const { req } = request(chunks);
        assert.deepEqual(await readRequestBody(req, whole.length + slack), whole);
      },
    ),
  );
});

test('one byte over the limit is refused, without a declared length', async () => {
  await tooLarge(readRequestBody(request([Buffer.alloc(6), Buffer.alloc(5)]).req, 10), 10);
  const exact = await readRequestBody(request([Buffer.alloc(6), Buffer.alloc(4)]).req, 10);
  assert.equal(exact.length, 10);
});

test('a declared length over the limit is refused before any of the body is read', async () => {
  const { req, counter } = request([Buffer.alloc(1)], { 'content-length': '1048577' });
  await tooLarge(readRequestBody(req, 1024 * 1024), 1024 * 1024);
  assert.equal(counter.pulled, 0);
});

test('a declared length is not trusted: the bytes received are counted', async () => {
  for (const declared of ['4', '0', '-1', 'abc', '1e1']) {
    const { req } = request([Buffer.alloc(8), Buffer.alloc(8)], { 'content-length': declared });
    await tooLarge(readRequestBody(req, 10), 10);
  }
});

test('an endless body is cut as soon as it passes the limit', async () => {
  function* endless() {
    for (;;) yield Buffer.alloc(1000);
  }
  const { req, counter } = request(endless());
  await tooLarge(readRequestBody(req, 4500), 4500);
  // A few chunks may sit in the stream's read-ahead buffer; the reader must not keep pulling past them.
  assert.ok(counter.pulled <= 5 + 16, `pulled ${counter.pulled} chunks`);
});

test('an empty body is an empty buffer', async () => {
  assert.equal((await readRequestBody(request([]).req, 0)).length, 0);
});
