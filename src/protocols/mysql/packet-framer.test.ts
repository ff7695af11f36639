import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import { MAX_PACKET_PAYLOAD } from './constants.js';
import {
  ClientPacketFramer,
  type LogicalPacket,
  type PhysicalPacket,
  PhysicalPacketFramer,
  STREAM_ABOVE_BYTES,
  STREAMED_HEAD_BYTES,
  type UpstreamPiece,
} from './packet-framer.js';
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
    for (let p = physical.next(); p; p = physical.next())
      if (p.kind === 'packet') seen.push([p.continuation, p.continues]);
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

function drainPieces(framer: PhysicalPacketFramer, into: UpstreamPiece[]): void {
  for (let p = framer.next(); p; p = framer.next()) into.push(p);
}

interface Seen {
  readonly seq: number;
  readonly length: number;
  readonly continuation: boolean;
  readonly continues: boolean;
  /** The payload as it came: the head, then each body piece. */
  readonly parts: readonly Buffer[];
}

/**
 * What a sequence of upstream pieces says: each packet with its whole payload put back together
 * from its head and body pieces, checking that the bodies belong to a streamed packet and end
 * exactly at its declared length.
 */
function reassemble(pieces: readonly UpstreamPiece[]): Seen[] {
  const out: Seen[] = [];
  let open: { packet: PhysicalPacket; parts: Buffer[]; size: number } | null = null;
  const close = (packet: PhysicalPacket, parts: Buffer[]) =>
    out.push({
      seq: packet.seq,
      length: packet.length,
      continuation: packet.continuation,
      continues: packet.continues,
      parts,
    });
  for (const p of pieces) {
    if (p.kind === 'body') {
      assert.ok(open, 'a body piece belongs to a streamed packet');
      assert.ok(p.bytes.length > 0);
      open.parts.push(p.bytes);
      open.size += p.bytes.length;
      assert.equal(p.end, open.size === open.packet.length, 'end is the last byte of the packet');
      if (p.end) {
        close(open.packet, open.parts);
        open = null;
      }
      continue;
    }
    assert.equal(open, null, 'a packet starts only once the streamed one before it ended');
    assert.equal(p.raw.readUIntLE(0, 3), p.length);
    assert.equal(p.raw[3], p.seq);
    assert.ok(p.raw.subarray(4).equals(p.payload));
    if (p.streamed) {
      assert.ok(p.payload.length < p.length, 'a streamed packet is not held whole');
      open = { packet: p, parts: [p.payload], size: p.payload.length };
    } else {
      assert.equal(p.payload.length, p.length);
      close(p, [p.payload]);
    }
  }
  assert.equal(open, null, 'no streamed packet left open');
  return out;
}

/** The client receives exactly the server's bytes: heads with their headers, then the bodies. */
function forwarded(pieces: readonly UpstreamPiece[]): Buffer {
  return Buffer.concat(pieces.map((p) => (p.kind === 'body' ? p.bytes : p.raw)));
}

/** Whether the pieces' bytes are `stream`, compared in place (no copy of a 32 MiB stream). */
function forwardsExactly(pieces: readonly UpstreamPiece[], stream: Buffer): boolean {
  let at = 0;
  for (const p of pieces) {
    const bytes = p.kind === 'body' ? p.bytes : p.raw;
    if (!bytes.equals(stream.subarray(at, at + bytes.length))) return false;
    at += bytes.length;
  }
  return at === stream.length;
}

test('upstream packets, streamed past the bound, come out the same however the stream is split', () => {
  fc.assert(
    fc.property(
      packetsArb,
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 0, max: 24 }),
      (packets, above, headWant) => {
        const head = Math.min(headWant, above);
        const stream = Buffer.concat(packets.map(([seq, payload]) => packet(seq, payload)));
        const expected = packets.map(([seq, payload]) => ({
          seq,
          length: payload.length,
          continuation: false,
          continues: false,
          payload,
        }));
        // Two parts cut at every byte, and the stream a byte at a time.
        const splits: Buffer[][] = [];
        for (let cut = 0; cut <= stream.length; cut++)
          splits.push([stream.subarray(0, cut), stream.subarray(cut)]);
        splits.push([...stream].map((b) => Buffer.from([b])));
        for (const parts of splits) {
          const framer = new PhysicalPacketFramer(above, head);
          const pieces: UpstreamPiece[] = [];
          let received = 0;
          for (const part of parts) {
            framer.push(part);
            drainPieces(framer, pieces);
            received += part.length;
            // Past a streamed packet's head, nothing received stays in the framer.
            const last = pieces.at(-1);
            if ((last?.kind === 'body' && !last.end) || (last?.kind === 'packet' && last.streamed))
              assert.equal(forwarded(pieces).length, received);
          }
          assert.deepEqual(
            reassemble(pieces).map(({ parts: p, ...rest }) => ({ ...rest, payload: Buffer.concat(p) })),
            expected,
          );
          assert.ok(forwarded(pieces).equals(stream));
          assert.equal(framer.buffered, 0);
          for (const p of pieces) if (p.kind === 'packet') assert.equal(p.streamed, p.length > above);
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('a split 16 MiB payload streams part by part, with its sequence ids and continuations, cut at every byte near each header', () => {
  // A row of 2 x (16 MiB - 1) + 10 bytes: parts of 0xFFFFFF, 0xFFFFFF and 10 bytes, then a short
  // packet whose payload starts with 0xFE (an EOF) and another (an OK). The continuation parts
  // start with 0xFE and 0xFF, which must not be read as an EOF or an ERR.
  const payload = Buffer.alloc(2 * MAX_PACKET_PAYLOAD + 10, 0x61);
  payload[MAX_PACKET_PAYLOAD] = 0xfe;
  payload[2 * MAX_PACKET_PAYLOAD] = 0xff;
  const row = packet(7, payload);
  const tail = Buffer.concat([
    packet(10, Buffer.from([0xfe, 0, 0, 2, 0])),
    packet(11, Buffer.from([0, 0, 0, 2, 0, 0, 0])),
  ]);
  const stream = Buffer.concat([row, tail]);
  const part = MAX_PACKET_PAYLOAD + 4;
  const CHUNK = 1024 * 1024;
  // Every cut within 12 bytes of a header, or of the end of a streamed packet's head.
  const marks = [
    0,
    part,
    2 * part,
    row.length,
    row.length + 9,
    4 + STREAMED_HEAD_BYTES,
    part + 4 + STREAMED_HEAD_BYTES,
  ];
  const cuts = new Set<number>();
  for (const m of marks)
    for (let d = -12; d <= 12; d++) if (m + d > 0 && m + d < stream.length) cuts.add(m + d);
  for (const cut of cuts) {
    const framer = new PhysicalPacketFramer();
    const pieces: UpstreamPiece[] = [];
    // The rest arrives in chunks of 1 MiB.
    framer.push(stream.subarray(0, cut));
    drainPieces(framer, pieces);
    for (let at = cut; at < stream.length; at += CHUNK) {
      framer.push(stream.subarray(at, Math.min(at + CHUNK, stream.length)));
      drainPieces(framer, pieces);
    }
    const seen = reassemble(pieces);
    assert.deepEqual(
      seen.map((s) => [s.seq, s.length, s.continuation, s.continues]),
      [
        [7, MAX_PACKET_PAYLOAD, false, true],
        [8, MAX_PACKET_PAYLOAD, true, true],
        [9, 10, true, false],
        [10, 5, false, false],
        [11, 7, false, false],
      ],
    );
    // Headers and payloads: the payload put back together is the row's.
    assert.ok(forwardsExactly(pieces, stream), `cut at ${cut}`);
    // Nothing larger than a head or a received chunk is ever handed over: the 16 MiB parts never are.
    for (const p of pieces) {
      const size = p.kind === 'body' ? p.bytes.length : p.raw.length;
      assert.ok(size <= Math.max(4 + STREAMED_HEAD_BYTES, cut, CHUNK), `a piece of ${size} bytes`);
    }
  }
  assert.ok(STREAMED_HEAD_BYTES < STREAM_ABOVE_BYTES);
});
