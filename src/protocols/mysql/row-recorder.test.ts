// The row recorder reads a row's payload in whatever pieces it arrives: on any bytes it records
// what parseTextRow and parseBinaryRow read from the whole payload, or throws a VigilError where
// they do, and never another exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { TYPE } from './constants.js';
import { type ColumnDef, parseBinaryRow, parseTextRow } from './result-messages.js';
import { RowRecorder } from './row-recorder.js';

const TYPES = [TYPE.TINY, TYPE.LONG, TYPE.LONGLONG, TYPE.DOUBLE, TYPE.DATETIME, TYPE.TIME, TYPE.VAR_STRING];

function outcome(run: () => JsonValue[]): JsonValue[] | 'error' {
  try {
    return run();
  } catch (e) {
    assert.ok(e instanceof VigilError, `threw ${String(e)}`);
    return 'error';
  }
}

test('pieces of arbitrary bytes are recorded as the whole payload is parsed, or refused as it is', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b)),
      fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 5 }),
      fc.array(fc.constantFrom(...TYPES), { maxLength: 5 }),
      fc.boolean(),
      (bytes, cuts, types, binary) => {
        const columns: ColumnDef[] = types.map((type, i) => ({
          name: `c${i}`,
          type,
          charset: 33,
          unsigned: false,
        }));
        const whole = outcome(() => (binary ? parseBinaryRow(bytes, columns) : parseTextRow(bytes, columns)));
        const streamed = outcome(() => {
          const r = new RowRecorder(columns, binary);
          const at = [0, ...cuts.filter((c) => c <= bytes.length).sort((a, b) => a - b), bytes.length];
          for (let i = 1; i < at.length; i++) r.push(bytes.subarray(at[i - 1], at[i]));
          return r.finish();
        });
        assert.deepEqual(streamed, whole);
      },
    ),
    { numRuns: 3000 },
  );
});
