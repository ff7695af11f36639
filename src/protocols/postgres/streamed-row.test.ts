// The streamed-row reader reads a DataRow's body in whatever pieces it arrives: on any bytes it
// records what the tracker records of the same row held whole (parseDataRow, then recordedValue),
// or throws a VigilError where parseDataRow does, and never another exception. Past the held-row
// size, values kept verbatim are bounded per row.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { parseDataRow } from './backend-messages.js';
import { RECORDED_VALUE_BYTES, recordedValue } from './recorded-value.js';
import { RECORDED_ROW_BYTES, StreamedDataRow } from './streamed-row.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A DataRow body: the column count, then each value's length (-1 for NULL) and bytes. */
function rowBody(values: readonly (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(2)];
  parts[0]!.writeInt16BE(values.length, 0);
  for (const v of values) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(v === null ? -1 : v.length, 0);
    parts.push(len);
    if (v) parts.push(v);
  }
  return Buffer.concat(parts);
}

function outcome(run: () => JsonValue[]): JsonValue[] | 'error' {
  try {
    return run();
  } catch (e) {
    assert.ok(e instanceof VigilError, `threw ${String(e)}`);
    assert.equal(e.code, 'protocol_violation');
    return 'error';
  }
}

/** What the tracker records of the row held whole. */
function held(body: Buffer, binary: (i: number) => boolean): JsonValue[] | 'error' {
  return outcome(() => parseDataRow(body).map((v, i) => (v === null ? null : recordedValue(v, binary(i)))));
}

/** What the streamed-row reader records of `body` pushed in the pieces between `cuts`. */
function streamed(
  body: Buffer,
  cuts: readonly number[],
  binary: (i: number) => boolean,
): JsonValue[] | 'error' {
  return outcome(() => {
    const r = new StreamedDataRow(body.length, binary);
    const at = [0, ...cuts.filter((c) => c <= body.length).sort((a, b) => a - b), body.length];
    for (let i = 1; i < at.length; i++) r.push(body.subarray(at[i - 1], at[i]));
    return r.finish();
  });
}

const smallValue = fc.option(
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  { nil: null },
);
const formats = fc.array(fc.boolean(), { maxLength: 6 });
const binaryOf = (f: readonly boolean[]) => (i: number) => f[i % Math.max(f.length, 1)] ?? false;

test('a well-formed row split at every byte boundary is recorded as the row held whole', () => {
  fc.assert(
    fc.property(fc.array(smallValue, { maxLength: 6 }), formats, (values, f) => {
      const body = rowBody(values);
      const whole = held(body, binaryOf(f));
      assert.notEqual(whole, 'error');
      for (let cut = 0; cut <= body.length; cut++)
        assert.deepEqual(streamed(body, [cut], binaryOf(f)), whole);
      // And one byte at a time.
      assert.deepEqual(
        streamed(
          body,
          Array.from({ length: body.length }, (_, i) => i),
          binaryOf(f),
        ),
        whole,
      );
    }),
    { numRuns: 500 },
  );
});

test('any bytes are recorded as parseDataRow reads them, or refused where it refuses them', () => {
  // Well-formed rows with a byte changed, bytes cut off or added, and bytes of no shape at all.
  const mangled = fc
    .tuple(
      fc.array(smallValue, { maxLength: 5 }),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: -6, max: 6 }),
    )
    .map(([values, at, byte, change]) => {
      const body = rowBody(values);
      if (body.length > 0) body[at % body.length] = byte;
      return change < 0
        ? body.subarray(0, Math.max(0, body.length + change))
        : Buffer.concat([body, Buffer.alloc(change, byte)]);
    });
  fc.assert(
    fc.property(
      fc.oneof(
        mangled,
        fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)),
      ),
      fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 5 }),
      formats,
      (body, cuts, f) => {
        assert.deepEqual(streamed(body, cuts, binaryOf(f)), held(body, binaryOf(f)));
      },
    ),
    { numRuns: 5000 },
  );
});

test('values over the value bound are hashed as they stream, as recordedValue records them', () => {
  const sizes = [RECORDED_VALUE_BYTES - 1, RECORDED_VALUE_BYTES, RECORDED_VALUE_BYTES + 1, 200_000];
  fc.assert(
    fc.property(
      fc.array(fc.oneof(smallValue, fc.constantFrom(...sizes)), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 0, max: 500_000 }), { maxLength: 8 }),
      formats,
      (spec, cuts, f) => {
        const values = spec.map((v, i) => (typeof v === 'number' ? Buffer.alloc(v, 0x61 + i) : v));
        const body = rowBody(values);
        const whole = held(body, binaryOf(f));
        assert.deepEqual(streamed(body, cuts, binaryOf(f)), whole);
      },
    ),
    { numRuns: 60 },
  );
});

test("once a row's verbatim values reach the row bound, every further value is hashed", () => {
  const value = Buffer.alloc(60 * 1024, 0x7a);
  const values = [Buffer.from('42'), ...Array.from({ length: 20 }, () => value), null, Buffer.alloc(0)];
  const body = rowBody(values);
  const r = new StreamedDataRow(body.length, () => false);
  for (let i = 0; i < body.length; i += 7000) r.push(body.subarray(i, i + 7000));
  const got = r.finish();
  const kept = Math.floor((RECORDED_ROW_BYTES - 2) / value.length);
  assert.equal(kept, 17);
  assert.deepEqual(got, [
    '42',
    ...Array.from({ length: kept }, () => value.toString()),
    ...Array.from({ length: 20 - kept }, () => ({ bytes: value.length, sha256: sha256(value) })),
    null,
    // An empty value never passes the bound.
    '',
  ]);
});

test('a row whose body ends early is refused at finish, one with more bytes at push', () => {
  const body = rowBody([Buffer.from('abc')]);
  const early = new StreamedDataRow(body.length, () => false);
  early.push(body.subarray(0, body.length - 1));
  assert.throws(() => early.finish(), { code: 'protocol_violation' });
  const over = new StreamedDataRow(body.length - 1, () => false);
  assert.throws(() => over.push(body), { code: 'protocol_violation' });
});
