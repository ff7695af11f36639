import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import { MAX_PACKET_PAYLOAD } from './constants.js';
import { ClientPacketFramer, type LogicalPacket, PhysicalPacketFramer } from './packet-framer.js';
import { packet } from './packet-writer.js';

const payloadArb = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
const packetsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), payloadArb), {
  minLength: 1,
  maxLength: 6,
});

function drain(framer: ClientPacketFramer): LogicalPacket[] {
  const out: LogicalPacket[] = [];
  for (let p = framer.next(); p; p = framer.next()) out.push(p);
  return out;
}

test('logical packets survive a split at every byte boundary', () => {
  fc.assert(
    fc.property(packetsArb, (packets) => {
      const wire = packets.map(([seq, payload]) => packet(seq, payload));
      const stream = Buffer.concat(wire);
      for (let cut = 0; cut <= stream.length; cut++) {
        const framer = new ClientPacketFramer(1024);
        framer.push(stream.subarray(0, cut));
        const got = drain(framer);
        framer.push(stream.subarray(cut));
        got.push(...drain(framer));
        assert.deepEqual(
          got.map((p) => [p.seq, p.payload]),
          packets,
        );
        assert.deepEqual(
          got.map((p) => p.raw),
          wire,
        );
        assert.equal(framer.buffered, 0);
      }
    }),
    { numRuns: 80 },
  );
});

test('a payload over 16 MiB is split into parts and joined back whatever the chunking', () => {
  for (const size of [
    MAX_PACKET_PAYLOAD - 1,
    MAX_PACKET_PAYLOAD,
    MAX_PACKET_PAYLOAD + 5,
    2 * MAX_PACKET_PAYLOAD,
  ]) {
    const payload = Buffer.alloc(size, 7);
    payload[0] = 3;
    payload[size - 1] = 9;
    const wire = packet(0, payload);
    const parts = Math.floor(size / MAX_PACKET_PAYLOAD) + 1;
    assert.equal(wire.length, size + 4 * parts);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 4 }), (cuts) => {
        const framer = new ClientPacketFramer(64 * 1024 * 1024);
        const points = [0, ...cuts.sort((a, b) => a - b), wire.length];
        const got: LogicalPacket[] = [];
        for (let i = 1; i < points.length; i++) {
          framer.push(wire.subarray(points[i - 1], points[i]));
          got.push(...drain(framer));
        }
        assert.equal(got.length, 1);
        assert.equal(got[0]!.payload.length, size);
        assert.ok(got[0]!.payload.equals(payload));
        assert.equal(got[0]!.lastSeq, parts - 1);
      }),
      { numRuns: 5 },
    );
    // The upstream framer yields every part, marking continuations.
    const physical = new PhysicalPacketFramer();
    physical.push(wire);
    const seen = [];
    for (let p = physical.next(); p; p = physical.next()) seen.push([p.continuation, p.continues]);
    assert.equal(seen.length, parts);
    assert.deepEqual(seen[0], [false, parts > 1]);
    assert.deepEqual(seen.at(-1), [parts > 1, false]);
  }
});

test('an oversized packet is refused from its header, before its body is buffered', () => {
  const framer = new ClientPacketFramer(100);
  framer.push(Buffer.from([101, 0, 0, 0]));
  assert.throws(
    () => framer.next(),
    (e: unknown) => e instanceof VigilError && e.code === 'message_too_large',
  );
  // Parts that add up past the limit are refused too.
  const split = new ClientPacketFramer(MAX_PACKET_PAYLOAD + 10);
  split.push(Buffer.from([0xff, 0xff, 0xff, 0]));
  split.push(Buffer.alloc(MAX_PACKET_PAYLOAD));
  split.push(Buffer.from([20, 0, 0, 1]));
  assert.throws(
    () => split.next(),
    (e: unknown) => e instanceof VigilError && e.code === 'message_too_large',
  );
});

test('a split packet whose parts are out of sequence is a protocol violation', () => {
  const framer = new ClientPacketFramer(64 * 1024 * 1024);
  framer.push(Buffer.from([0xff, 0xff, 0xff, 0]));
  framer.push(Buffer.alloc(MAX_PACKET_PAYLOAD));
  framer.push(Buffer.from([1, 0, 0, 5, 0]));
  assert.throws(
    () => framer.next(),
    (e: unknown) => e instanceof VigilError && e.code === 'protocol_violation',
  );
});

test('arbitrary bytes never crash the framer and never buffer past the limit', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (bytes, step) => {
      const framer = new ClientPacketFramer(256);
      const stream = Buffer.from(bytes);
      for (let i = 0; i < stream.length; i += step) {
        framer.push(stream.subarray(i, i + step));
        try {
          drain(framer);
        } catch (e) {
          assert.ok(e instanceof VigilError);
          return;
        }
        assert.ok(framer.buffered <= 256 + 4 + step);
      }
    }),
    { numRuns: 300 },
  );
});
