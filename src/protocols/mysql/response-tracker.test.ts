// The response tracker fed by the upstream framer as the proxy feeds it: a result whose packets are
// streamed (over the framer's bound) reaches the client byte for byte and is followed exactly
// (rows counted, the EOF found, the row recorded as parseTextRow/parseBinaryRow read it whole),
// however the server's bytes are split. Until 5 December every server packet, up to 16 MiB, was
// held whole before the client saw a byte of it, and a row over 16 MiB was recorded as a placeholder.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { MAX_PACKET_PAYLOAD, TYPE } from './constants.js';
import { PhysicalPacketFramer } from './packet-framer.js';
import { lenencBytes, lenencInt, okPayload, packet, u16, u32 } from './packet-writer.js';
import { ResponseTracker } from './response-tracker.js';
import { type ColumnDef, parseBinaryRow, parseTextRow } from './result-messages.js';
import { RECORDED_ROW_BYTES } from './row-recorder.js';

function columnDef(c: ColumnDef): Buffer {
  return Buffer.concat([
    ...['def', 'db', 't', 't', c.name, c.name].map((s) => lenencBytes(s)),
    lenencInt(0x0c),
    u16(c.charset),
    u32(255),
    Buffer.from([c.type]),
    u16(c.unsigned ? 0x20 : 0),
    Buffer.from([0, 0, 0]),
  ]);
}

/** A whole answer with EOF deprecated: column count, definitions, rows, the closing OK (0xFE). */
function resultStream(columns: readonly ColumnDef[], rows: readonly Buffer[]): Buffer {
  let seq = 1;
  const out = [packet(seq++, lenencInt(columns.length))];
  for (const c of columns) out.push(packet(seq++, columnDef(c)));
  for (const r of rows) {
    const p = packet(seq, r);
    out.push(p);
    seq = (seq + Math.floor(r.length / MAX_PACKET_PAYLOAD) + 1) & 0xff;
  }
  const end = okPayload(0x0002, 0);
  end[0] = 0xfe;
  out.push(packet(seq, end));
  return Buffer.concat(out);
}

interface Run {
  readonly sent: Buffer[];
  readonly results: JsonObject[];
  push(bytes: Buffer): void;
  readonly tracker: ResponseTracker;
}

function run(binary: boolean, framer = new PhysicalPacketFramer()): Run {
  const sent: Buffer[] = [];
  const results: JsonObject[] = [];
  const tracker = new ResponseTracker({
    deprecateEof: true,
    extendedMetadata: false,
    recordRows: 1000,
    allowLocalInfile: false,
    toClient: (b) => sent.push(b),
    record: (r) => results.push(r),
    onDatabase: () => undefined,
  });
  tracker.expect({ kind: 'results', binary, started: 0 });
  return {
    sent,
    results,
    tracker,
    push(bytes) {
      framer.push(bytes);
      for (let p = framer.next(); p; p = framer.next()) tracker.observe(p);
    },
  };
}

const textColumns = (n: number): ColumnDef[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `c${i}`,
    type: TYPE.VAR_STRING,
    charset: 33,
    unsigned: false,
  }));

const valueArb = fc.option(
  fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b)),
  { nil: null, freq: 4 },
);

function textRow(values: readonly (Buffer | null)[]): Buffer {
  return Buffer.concat(values.map((v) => (v === null ? Buffer.from([0xfb]) : lenencBytes(v))));
}

test('a text result streamed past any bound is relayed and recorded exactly, split at every byte', () => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 4 })
        .chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.array(valueArb, { minLength: n, maxLength: n }), { maxLength: 4 }),
          ),
        ),
      // The head of a streamed packet holds any column definition or OK here, as 64 KiB does in
      // earnest; rows longer than `above` are streamed.
      fc.integer({ min: 40, max: 80 }),
      fc.integer({ min: 40, max: 48 }),
      ([n, rows], above, head) => {
        const columns = textColumns(n);
        const payloads = rows.map(textRow);
        const stream = resultStream(columns, payloads);
        const expected = payloads.map((p) => parseTextRow(p, columns));
        for (let cut = 0; cut <= stream.length; cut++) {
          const r = run(false, new PhysicalPacketFramer(above, head));
          r.push(stream.subarray(0, cut));
          r.push(stream.subarray(cut));
          assert.ok(Buffer.concat(r.sent).equals(stream), 'the client gets the server bytes unchanged');
          assert.equal(r.results.length, 1, 'the closing OK is found, once');
          assert.equal(r.results[0]!.row_count, rows.length);
          assert.deepEqual(r.results[0]!.rows, expected);
          assert.equal(r.tracker.backlogFull, false);
        }
      },
    ),
    { numRuns: 40 },
  );
});

const binaryColumns: ColumnDef[] = [
  { name: 'i', type: TYPE.LONG, charset: 63, unsigned: false },
  { name: 's', type: TYPE.VAR_STRING, charset: 33, unsigned: false },
  { name: 'd', type: TYPE.DATETIME, charset: 63, unsigned: false },
  { name: 'n', type: TYPE.LONGLONG, charset: 63, unsigned: true },
  { name: 'f', type: TYPE.DOUBLE, charset: 63, unsigned: false },
];

function binaryRow(i: number | null, s: Buffer | null, withTime: boolean, n: bigint, f: number): Buffer {
  const nulls = Buffer.alloc((binaryColumns.length + 9) >> 3);
  const setNull = (col: number) => {
    nulls[(col + 2) >> 3]! |= 1 << ((col + 2) & 7);
  };
  const values: Buffer[] = [];
  if (i === null) setNull(0);
  else values.push(u32(i >>> 0));
  if (s === null) setNull(1);
  else values.push(lenencBytes(s));
  values.push(
    withTime ? Buffer.from([7, 0xe8, 0x07, 12, 5, 17, 41, 46]) : Buffer.from([4, 0xe8, 0x07, 12, 5]),
  );
  const big = Buffer.alloc(8);
  big.writeBigUInt64LE(n);
  values.push(big);
  const dbl = Buffer.alloc(8);
  dbl.writeDoubleLE(f);
  values.push(dbl);
  return Buffer.concat([Buffer.from([0]), nulls, ...values]);
}

test('a binary result streamed past any bound is relayed and recorded exactly, split at every byte', () => {
  const rowArb = fc
    .tuple(
      fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
      fc.option(
        fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
        { nil: null },
      ),
      fc.boolean(),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.double({ noNaN: true }),
    )
    .map(([i, s, t, n, f]) => binaryRow(i, s, t, n, f));
  fc.assert(
    fc.property(
      fc.array(rowArb, { maxLength: 3 }),
      fc.integer({ min: 40, max: 70 }),
      fc.integer({ min: 40, max: 48 }),
      (payloads, above, head) => {
        const stream = resultStream(binaryColumns, payloads);
        const expected = payloads.map((p) => parseBinaryRow(p, binaryColumns));
        for (let cut = 0; cut <= stream.length; cut++) {
          const r = run(true, new PhysicalPacketFramer(above, head));
          r.push(stream.subarray(0, cut));
          r.push(stream.subarray(cut));
          assert.ok(Buffer.concat(r.sent).equals(stream));
          assert.equal(r.results.length, 1);
          assert.deepEqual(r.results[0]!.rows, expected);
        }
      },
    ),
    { numRuns: 30 },
  );
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('a row of several megabytes reaches the client as it arrives and is recorded by size and SHA-256', () => {
  const big = Buffer.alloc(15_000_000);
  for (let i = 0; i < big.length; i++) big[i] = 97 + (i % 26);
  const stream = resultStream(textColumns(2), [textRow([Buffer.from('id-1'), big])]);
  const r = run(false);
  let pushed = 0;
  for (; pushed < 2 * 1024 * 1024; pushed += 65536) r.push(stream.subarray(pushed, pushed + 65536));
  // Before 5 December nothing of the row had reached the client yet: the packet was held whole.
  const relayed = r.sent.reduce((n, b) => n + b.length, 0);
  assert.equal(relayed, pushed, 'every byte received so far was passed on');
  for (; pushed < stream.length; pushed += 65536) r.push(stream.subarray(pushed, pushed + 65536));
  assert.ok(Buffer.concat(r.sent).equals(stream));
  assert.equal(r.results.length, 1);
  assert.deepEqual(r.results[0]!.rows, [['id-1', { bytes: big.length, sha256: sha256(big) }]]);
});

test('a row over 16 MiB is followed across its parts and recorded whole, however its headers are cut', () => {
  // Its parts begin with 0xFE and 0xFF, which only the first packet of an answer's row could mean
  // as an EOF or an ERR.
  const value = Buffer.alloc(2 * MAX_PACKET_PAYLOAD + 100, 0x78);
  const payload = textRow([value, Buffer.from('after')]);
  payload[MAX_PACKET_PAYLOAD] = 0xfe;
  payload[2 * MAX_PACKET_PAYLOAD] = 0xff;
  const recordedValue = payload.subarray(9, 9 + value.length);
  const stream = resultStream(textColumns(2), [payload, textRow([Buffer.from('next'), null])]);
  const rowStart = stream.indexOf(payload.subarray(0, 9));
  const part = MAX_PACKET_PAYLOAD + 4;
  const marks = [rowStart, rowStart + part, rowStart + 2 * part, rowStart + payload.length + 12];
  const expected = [
    [{ bytes: value.length, sha256: sha256(recordedValue) }, 'after'],
    ['next', null],
  ];
  for (const m of marks)
    for (let d = -6; d <= 6; d++) {
      const r = run(false);
      r.push(stream.subarray(0, m + d));
      for (let at = m + d; at < stream.length; at += 4 * 1024 * 1024)
        r.push(stream.subarray(at, Math.min(at + 4 * 1024 * 1024, stream.length)));
      assert.equal(r.results.length, 1, `cut at ${m + d}`);
      assert.equal(r.results[0]!.row_count, 2);
      assert.deepEqual(r.results[0]!.rows, expected);
      assert.equal(
        r.sent.reduce((n, b) => n + b.length, 0),
        stream.length,
      );
    }
});

test("a row's values are kept verbatim up to 1 MiB in all, the rest recorded by size and SHA-256", () => {
  const value = Buffer.alloc(60 * 1024, 0x41);
  const values = Array.from({ length: 20 }, () => value);
  const r = run(false);
  r.push(resultStream(textColumns(20), [textRow(values)]));
  const kept = Math.floor(RECORDED_ROW_BYTES / value.length);
  const rows = r.results[0]!.rows as JsonValue[][];
  assert.deepEqual(
    rows[0],
    values.map((v, i) => (i < kept ? v.toString() : { bytes: v.length, sha256: sha256(v) })),
  );
});

test("a refusal queued behind an answer that ends with a streamed packet waits for that packet's last byte", () => {
  const r = run(false);
  r.tracker.abandon();
  r.tracker.expect({ kind: 'ok' });
  const refusal = packet(1, Buffer.from([0xff, 0x17, 0x04, 0x23, 0x34, 0x32, 0x30, 0x30, 0x30, 0x6e, 0x6f]));
  r.tracker.expect({ kind: 'refusal', packet: refusal });
  // An OK with 2 MiB of info: streamed, its end only known at its last byte.
  const ok = packet(1, Buffer.concat([okPayload(0x0002, 0), Buffer.alloc(2 * 1024 * 1024, 0x69)]));
  for (let at = 0; at < ok.length; at += 65536) r.push(ok.subarray(at, at + 65536));
  assert.ok(Buffer.concat(r.sent).equals(Buffer.concat([ok, refusal])));
});
