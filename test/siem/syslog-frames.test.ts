// The RFC 5424 message writer and reader, and the RFC 6587 octet-counting frame reader the syslog
// tests' collector uses: round trips of arbitrary messages, split at every byte of the stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../src/core/errors.js';
import { encodeOctetFrame, OctetFrameReader } from '../../src/siem/octet-frames.js';
import {
  formatSyslogMessage,
  parseSyslogMessage,
  type SyslogMessage,
} from '../../src/siem/syslog-message.js';

const printable = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: max,
  });
const sdName = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789@._-'.split('')),
  minLength: 1,
  maxLength: 32,
});
const messageArb: fc.Arbitrary<SyslogMessage> = fc
  .record({
    pri: fc.integer({ min: 0, max: 191 }),
    timestamp: fc
      .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
      .map((d) => d.toISOString()),
    hostname: printable(255),
    appName: printable(48),
    procId: printable(128),
    msgId: printable(32),
    structuredData: fc.option(
      fc
        .record({
          id: sdName,
          // Values may hold the characters that must be escaped, and any Unicode.
          params: fc.array(fc.tuple(sdName, fc.string({ unit: 'grapheme', maxLength: 20 })), {
            maxLength: 4,
          }),
        })
        .map((sd) => ({ ...sd })),
      { nil: null },
    ),
    msg: fc.string({ unit: 'grapheme', maxLength: 200 }),
  })
  .map((m) => ({ ...m }));

test('a formatted message parses back to itself', () => {
  fc.assert(
    fc.property(messageArb, (m) => {
      assert.deepEqual(parseSyslogMessage(formatSyslogMessage(m)), m);
    }),
    { numRuns: 500 },
  );
});

test('escapes in structured data: quote, backslash and bracket survive', () => {
  const m: SyslogMessage = {
    pri: 110,
    timestamp: '2026-01-02T03:04:05.678Z',
    hostname: 'h',
    appName: 'vigil',
    procId: '1',
    msgId: 'llm.request',
    structuredData: { id: 'vigil@32473', params: [['index', 'a"b\\c]d']] },
    msg: '{"x":"] \\" ["}',
  };
  const text = formatSyslogMessage(m);
  assert.ok(text.includes('index="a\\"b\\\\c\\]d"'));
  assert.deepEqual(parseSyslogMessage(text), m);
});

test('malformed messages are refused', () => {
  for (const text of [
    '',
    'hello',
    '<192>1 t h a p m -',
    '<01>1 t h a p m -',
    '<1>2 t h a p m -',
    '<1>1 t h a p m [x a="b"',
    '<1>1 t h a p m [x a=b]',
    '<1>1 t h a p m x',
  ]) {
    assert.throws(
      () => parseSyslogMessage(text),
      (e: unknown) => e instanceof VigilError && e.code === 'protocol_violation',
      text,
    );
  }
});

test('octet-counted frames survive being split at every byte boundary', () => {
  fc.assert(
    fc.property(fc.array(messageArb, { minLength: 1, maxLength: 4 }), (messages) => {
      const texts = messages.map(formatSyslogMessage);
      const stream = Buffer.concat(texts.map(encodeOctetFrame));
      for (let cut = 0; cut <= stream.length; cut++) {
        const reader = new OctetFrameReader(4096);
        const frames = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
        assert.deepEqual(
          frames.map((f) => parseSyslogMessage(f.toString('utf8'))),
          messages,
        );
        assert.equal(reader.pending, 0);
      }
    }),
    { numRuns: 40 },
  );
});

test('byte-by-byte delivery yields the same frames, multi-byte characters included', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 5 }),
      (texts) => {
        const reader = new OctetFrameReader(4096);
        const frames: string[] = [];
        for (const byte of Buffer.concat(texts.map(encodeOctetFrame))) {
          frames.push(...reader.push(Buffer.from([byte])).map((f) => f.toString('utf8')));
        }
        assert.deepEqual(frames, texts);
      },
    ),
  );
});

test('a frame over the cap is refused from its length alone, before its body is buffered', () => {
  fc.assert(
    fc.property(fc.integer({ min: 4097, max: Number.MAX_SAFE_INTEGER }), (length) => {
      const reader = new OctetFrameReader(4096);
      assert.throws(
        () => reader.push(Buffer.from(`${length} `)),
        (e: unknown) => e instanceof VigilError && e.code === 'message_too_large',
      );
    }),
  );
  // Too many digits is known before the space arrives.
  assert.throws(
    () => new OctetFrameReader(4096).push(Buffer.from('12345')),
    (e: unknown) => e instanceof VigilError && e.code === 'message_too_large',
  );
});

test('lengths that are not decimals without leading zeros are protocol violations', () => {
  for (const bad of ['0 ', '012 x', ' 1 x', 'a1 x', '1a x', '-1 x']) {
    assert.throws(
      () => new OctetFrameReader(4096).push(Buffer.from(bad)),
      (e: unknown) => e instanceof VigilError && e.code === 'protocol_violation',
      bad,
    );
  }
});
