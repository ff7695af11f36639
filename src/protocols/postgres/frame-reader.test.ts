import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import { type Frame, FrameReader } from './frame-reader.js';
import {
  parseBind,
  parseExecute,
  parseParse,
  parseQuery,
  parseStartupPacket,
  parseTarget,
} from './frontend-messages.js';
import { cstring, int32, message, startupMessage } from './wire-writer.js';

const LIMIT = 4096;
const codeArb = fc.constantFrom('Q', 'P', 'B', 'E', 'D', 'C', 'S', 'H', 'X', 'd', 'c', 'f');
const messageArb = fc
  .tuple(codeArb, fc.uint8Array({ maxLength: 300 }))
  .map(([c, b]) => message(c, Buffer.from(b)));

function drain(reader: FrameReader): Frame[] {
  const out: Frame[] = [];
  for (let f = reader.next(); f; f = reader.next()) out.push(f);
  return out;
}

test('frames survive being split at every byte boundary', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 6 }), (messages) => {
      const stream = Buffer.concat(messages);
      for (let cut = 0; cut <= stream.length; cut++) {
        const reader = new FrameReader(LIMIT);
        reader.push(stream.subarray(0, cut));
        const frames = drain(reader);
        reader.push(stream.subarray(cut));
        frames.push(...drain(reader));
        assert.deepEqual(
          frames.map((f) => f.raw),
          messages,
        );
        assert.equal(reader.buffered, 0);
      }
    }),
    { numRuns: 60 },
  );
});

test('byte-by-byte delivery yields the same frames', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), (messages) => {
      const reader = new FrameReader(LIMIT);
      const frames: Frame[] = [];
      for (const byte of Buffer.concat(messages)) {
        reader.push(Buffer.from([byte]));
        frames.push(...drain(reader));
      }
      assert.deepEqual(
        frames.map((f) => [f.code, f.body]),
        messages.map((m) => [String.fromCharCode(m[0]!), m.subarray(5)]),
      );
    }),
  );
});

test('an oversized message is refused from its header alone, before its body is buffered', () => {
  fc.assert(
    fc.property(fc.integer({ min: LIMIT, max: 0x7ffffff0 }), codeArb, (length, code) => {
      const reader = new FrameReader(LIMIT);
      const head = Buffer.alloc(5);
      head.write(code, 0, 'latin1');
      head.writeUInt32BE(length, 1);
      reader.push(head);
      assert.throws(
        () => reader.next(),
        (e: unknown) => e instanceof VigilError && e.code === 'message_too_large',
      );
    }),
  );
});

test('lengths below 4 are protocol violations', () => {
  for (const length of [0, 1, 2, 3, 0x80000000, 0xffffffff]) {
    const reader = new FrameReader(LIMIT);
    const head = Buffer.alloc(5);
    head.write('Q', 0, 'latin1');
    head.writeUInt32BE(length, 1);
    reader.push(head);
    assert.throws(
      () => reader.next(),
      (e: unknown) => e instanceof VigilError && e.code === 'protocol_violation',
    );
  }
});

const DECODERS = [parseQuery, parseParse, parseBind, parseExecute, parseTarget, parseStartupPacket];

test('fuzz: random bytes through the reader and every decoder give frames or VigilErrors, never a crash', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.nat(600), (bytes, untyped, cut) => {
      const reader = new FrameReader(LIMIT, untyped);
      const stream = Buffer.from(bytes);
      try {
        reader.push(stream.subarray(0, cut));
        const frames = drain(reader);
        reader.push(stream.subarray(cut));
        frames.push(...drain(reader));
        for (const frame of frames) {
          for (const decode of DECODERS) {
            try {
              decode(frame.body);
            } catch (e) {
              assert.ok(e instanceof VigilError, `decoder threw ${String(e)}`);
            }
          }
        }
      } catch (e) {
        assert.ok(e instanceof VigilError, `reader threw ${String(e)}`);
      }
      // Never more than what was pushed is held.
      assert.ok(reader.buffered <= stream.length);
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: truncated valid messages decode or fail with protocol_violation', () => {
  const bind = Buffer.concat([
    cstring('portal'),
    cstring('stmt'),
    Buffer.from([0, 1, 0, 0]),
    Buffer.from([0, 2]),
    int32(3),
    Buffer.from('abc'),
    int32(-1),
    Buffer.from([0, 0]),
  ]);
  const parse = Buffer.concat([cstring('s'), cstring('select $1'), Buffer.from([0, 1]), int32(23)]);
  const startup = startupMessage({ user: 'alice', database: 'db' }).subarray(4);
  for (const [body, decode] of [
    [bind, parseBind],
    [parse, parseParse],
    [startup, parseStartupPacket],
  ] as const) {
    assert.doesNotThrow(() => decode(body));
    for (let n = 0; n < body.length; n++) {
      try {
        decode(body.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof VigilError && e.code === 'protocol_violation');
      }
    }
  }
  assert.deepEqual(parseBind(bind).params, [{ value: Buffer.from('abc'), binary: false }, null]);
});

test('interleaved startup and typed framing: an SSLRequest followed by a startup message', () => {
  const ssl = Buffer.alloc(8);
  ssl.writeUInt32BE(8);
  ssl.writeUInt32BE(80877103, 4);
  const stream = Buffer.concat([
    ssl,
    startupMessage({ user: 'u' }),
    message('p', cstring('tok')),
    message('Q', cstring('select 1')),
  ]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const reader = new FrameReader(LIMIT, true);
    const got: string[] = [];
    const feed = (part: Buffer) => {
      reader.push(part);
      for (let f = reader.next(); f; f = reader.next()) {
        if (reader.untyped) {
          const packet = parseStartupPacket(f.body);
          got.push(packet.kind);
          if (packet.kind === 'startup') reader.untyped = false;
        } else got.push(f.code);
      }
    };
    feed(stream.subarray(0, cut));
    feed(stream.subarray(cut));
    assert.deepEqual(got, ['ssl', 'startup', 'p', 'Q']);
  }
});
