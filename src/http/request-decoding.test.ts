import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import { decodeRequestBody } from './request-decoding.js';

const ENCODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: gzipSync,
  deflate: deflateSync,
  br: brotliCompressSync,
  identity: (b) => b,
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (err) {
    assert.ok(err instanceof VigilError);
    return err.code;
  }
}

test('any body under any list of codings decodes to the bytes before they were applied', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 2048 }),
      fc.array(fc.constantFrom('gzip', 'deflate', 'br', 'identity'), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      async (bytes, codings, upper) => {
        const original: Buffer = Buffer.from(bytes);
        // Codings apply in the order listed.
        const sent = codings.reduce<Buffer>((b, c) => ENCODERS[c]!(b), original);
        const header = codings.map((c) => (upper ? c.toUpperCase() : c)).join(' , ');
        const { body, decodedFrom } = await decodeRequestBody(header, sent, 1 << 20);
        assert.deepEqual(body, original);
        const applied = codings.filter((c) => c !== 'identity');
        assert.equal(decodedFrom, applied.length === 0 ? null : applied.join(', '));
      },
    ),
    { numRuns: 150 },
  );
});

test('no coding: the body is returned as sent, without a copy', async () => {
  const raw = Buffer.from('{"a":1}');
  for (const header of [undefined, '', 'identity', ['identity']]) {
    const out = await decodeRequestBody(header, raw, 10);
    assert.equal(out.body, raw);
    assert.equal(out.decodedFrom, null);
  }
});

test('an unknown coding, a corrupt body and an expansion past the limit are refused with their codes', async () => {
  assert.equal(await codeOf(decodeRequestBody('zstd', Buffer.from('x'), 100)), 'body_encoding_unsupported');
  assert.equal(
    await codeOf(decodeRequestBody('gzip, compress', gzipSync('x'), 100)),
    'body_encoding_unsupported',
  );
  assert.equal(await codeOf(decodeRequestBody('gzip', Buffer.from('not gzip'), 100)), 'protocol_violation');
  assert.equal(await codeOf(decodeRequestBody('br', Buffer.from([1, 2, 3]), 100)), 'protocol_violation');
  const bomb = gzipSync(Buffer.alloc(1 << 20));
  assert.equal(await codeOf(decodeRequestBody('gzip', bomb, 1000)), 'body_too_large');
  assert.equal(await codeOf(decodeRequestBody('gzip', bomb, 1 << 20)), 'none');
});
