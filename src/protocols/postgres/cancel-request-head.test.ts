// The listener's view of a CancelRequest: every prefix of a real one (as the wire writer builds it)
// may still be one, and the other startup packets a client opens with are told apart within their
// first eight bytes, so none waits out the quick window.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CANCEL_REQUEST } from './cancel-request-head.js';
import { parseStartupPacket } from './frontend-messages.js';
import { cancelRequest, sslRequest, startupMessage } from './wire-writer.js';

test('every prefix of a cancel matches, and a whole one is the 16 bytes the handshake reads as a cancel', () => {
  fc.assert(
    fc.property(fc.integer(), fc.uint8Array({ minLength: 4, maxLength: 4 }), (pid, secret) => {
      const whole = cancelRequest(pid, Buffer.from(secret));
      assert.equal(whole.length, CANCEL_REQUEST.bytes);
      for (let n = 0; n <= whole.length; n++) assert.ok(CANCEL_REQUEST.matches(whole.subarray(0, n)));
      assert.equal(parseStartupPacket(whole.subarray(4)).kind, 'cancel');
    }),
  );
});

test('StartupMessage, SSLRequest and GSSENCRequest are told from a cancel within eight bytes', () => {
  const gssenc = Buffer.from(sslRequest());
  gssenc.writeInt32BE(80877104, 4);
  const others = [startupMessage({ user: 'alice', database: 'vigil' }), sslRequest(), gssenc];
  for (const other of others) assert.equal(CANCEL_REQUEST.matches(other.subarray(0, 8)), false);
  // A cancel with a longer secret (protocol 3.2) has another length: Vigil issues no such key.
  assert.equal(CANCEL_REQUEST.matches(cancelRequest(1, Buffer.alloc(8)).subarray(0, 8)), false);
});

test('a cancel with any one of its first eight bytes changed does not match, however much has come', () => {
  const whole = cancelRequest(7, Buffer.from([1, 2, 3, 4]));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 1, max: 255 }),
      fc.nat(8),
      (at, flip, more) => {
        const head = Buffer.from(whole.subarray(0, at + 1 + more));
        head[at] = head[at]! ^ flip;
        assert.equal(CANCEL_REQUEST.matches(head), false);
      },
    ),
  );
});
