import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { DbResultPayload } from '../../core/db-payloads.js';
import type { Relay } from '../../relay/index.js';
import type { Expectation } from './expectations.js';
import { FrameReader } from './frame-reader.js';
import { ResponseTracker } from './response-tracker.js';
import { StatementState } from './statement-state.js';
import { STREAM_ABOVE_BYTES, UpstreamFollower } from './upstream-follower.js';
import { message } from './wire-writer.js';

function follower(): { follower: UpstreamFollower; sent: Buffer[]; closed: () => boolean } {
  const sent: Buffer[] = [];
  let closed = false;
  const relay = {
    get closed() {
      return closed;
    },
    toClient: (bytes: Buffer) => sent.push(bytes),
    close: () => {
      closed = true;
    },
    fail: () => {
      closed = true;
    },
  } as unknown as Relay;
  const tracker = new ResponseTracker(1, new StatementState(), () => undefined);
  const f = new UpstreamFollower(new FrameReader(0), tracker, relay, {
    readOnly: false,
    logger: { warn: () => undefined },
  });
  return { follower: f, sent, closed: () => closed };
}

function dataRow(value: Buffer): Buffer {
  const body = Buffer.alloc(6 + value.length);
  body.writeInt16BE(1, 0);
  body.writeInt32BE(value.length, 2);
  value.copy(body, 6);
  return message('D', body);
}

// A server row of hundreds of megabytes (`SELECT repeat('x', 500000000)`) was held whole before
// a byte of it reached the client: memory grew with the row, per connection, and the client's
// flow control could not slow the server. Until 5 December.
test('a large DataRow is passed on as it arrives, not held whole', () => {
  const { follower: f, sent } = follower();
  const row = dataRow(Buffer.alloc(100 * 1024 * 1024, 0x78));
  const first = row.subarray(0, 64 * 1024);
  f.push(first);
  assert.deepEqual(Buffer.concat(sent), first, 'the start of the row reached the client at once');
  assert.equal(f.buffered, row.length - first.length, 'what is still to come is counted, not held');
});

test('streamed and whole messages reach the client byte for byte, however the stream is split', () => {
  const big = dataRow(Buffer.alloc(STREAM_ABOVE_BYTES + 10, 0x61));
  const small = dataRow(Buffer.from('abc'));
  const notice = message(
    'N',
    Buffer.concat([Buffer.from('SNOTICE\0M'), Buffer.alloc(STREAM_ABOVE_BYTES, 0x62), Buffer.from('\0\0')]),
  );
  const complete = message('C', Buffer.from('SELECT 3\0'));
  const error = message(
    'E',
    Buffer.concat([
      Buffer.from('SERROR\0VERROR\0C22P02\0M'),
      Buffer.alloc(STREAM_ABOVE_BYTES, 0x63),
      Buffer.from('\0\0'),
    ]),
  );
  const stream = Buffer.concat([small, big, notice, small, error, complete]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 6 }), (cuts) => {
      const { follower: f, sent, closed } = follower();
      const at = [0, ...[...new Set(cuts)].sort((a, b) => a - b), stream.length];
      for (let i = 1; i < at.length; i++) f.push(stream.subarray(at[i - 1], at[i]));
      assert.equal(closed(), false);
      assert.equal(f.buffered, 0);
      assert.ok(Buffer.concat(sent).equals(stream));
    }),
    { numRuns: 40 },
  );
});

test('of a large server error only the head is held, and what is recorded is its SQLSTATE', () => {
  const results: DbResultPayload[] = [];
  const sent: Buffer[] = [];
  const relay = { closed: false, toClient: (b: Buffer) => sent.push(b) } as unknown as Relay;
  const tracker = new ResponseTracker(0, new StatementState(), (r) => results.push(r));
  tracker.expect({ kind: 'query', batch: 0, exec: { started: 0 } } as Expectation);
  const f = new UpstreamFollower(new FrameReader(0), tracker, relay, {
    readOnly: false,
    logger: { warn: () => undefined },
  });
  const error = message(
    'E',
    Buffer.concat([
      Buffer.from('SERROR\0VERROR\0C22P02\0M'),
      Buffer.alloc(50 * 1024 * 1024, 0x63),
      Buffer.from('\0\0'),
    ]),
  );
  f.push(error.subarray(0, 1024 * 1024));
  assert.ok(f.buffered >= error.length - 1024 * 1024, 'the rest is counted, not held');
  assert.deepEqual(Buffer.concat(sent), error.subarray(0, 1024 * 1024));
  f.push(error.subarray(1024 * 1024));
  f.push(message('Z', Buffer.from('I')));
  assert.ok(Buffer.concat(sent).subarray(0, error.length).equals(error));
  assert.equal(results.length, 1);
  assert.equal(results[0]!.sqlstate, '22P02');
  assert.match(String(results[0]!.error_message), /^<error message of \d+ bytes not recorded>$/);
});

/** A follower whose tracker records up to `recordRows` rows of one expected execution. */
function recording(
  recordRows: number,
  exec: Expectation,
): {
  follower: UpstreamFollower;
  sent: Buffer[];
  results: DbResultPayload[];
  closed: () => boolean;
  warned: string[];
} {
  const sent: Buffer[] = [];
  const results: DbResultPayload[] = [];
  const warned: string[] = [];
  let closed = false;
  const relay = {
    get closed() {
      return closed;
    },
    toClient: (bytes: Buffer) => sent.push(bytes),
    close: () => {
      closed = true;
    },
  } as unknown as Relay;
  const tracker = new ResponseTracker(recordRows, new StatementState(), (r) => results.push(r));
  tracker.expect(exec);
  const f = new UpstreamFollower(new FrameReader(0), tracker, relay, {
    readOnly: false,
    logger: { warn: (_obj, msg) => warned.push(msg) },
  });
  return { follower: f, sent, results, closed: () => closed, warned };
}

function rowOf(values: readonly (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(2)];
  parts[0]!.writeInt16BE(values.length, 0);
  for (const v of values) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(v === null ? -1 : v.length, 0);
    parts.push(len);
    if (v) parts.push(v);
  }
  return message('D', Buffer.concat(parts));
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Until 5 December a streamed row was recorded as `<row of N bytes not recorded>`: its small
// columns (an id, a short secret) never reached the ledger while the client read them.
test("a streamed row's small values are recorded verbatim and its large ones by size and digest", () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = 0x61 + (i % 26);
  const id = Buffer.from('7');
  const stream = Buffer.concat([
    rowOf([id, big, null, Buffer.from('note')]),
    rowOf([Buffer.from('8'), Buffer.from('small'), null, Buffer.alloc(0)]),
    rowOf([Buffer.from('9'), big, null, Buffer.alloc(0)]),
    message('C', Buffer.from('SELECT 3\0')),
    message('Z', Buffer.from('I')),
  ]);
  const large = { bytes: big.length, sha256: sha256(big) };
  for (const binary of [false, true]) {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 6 }), (cuts) => {
        const exec = binary
          ? ({ kind: 'execute', batch: 0, exec: { started: 0, resultFormats: [1] } } as Expectation)
          : ({ kind: 'query', batch: 0, exec: { started: 0 } } as Expectation);
        const { follower: f, sent, results, closed } = recording(2, exec);
        const at = [0, ...[...new Set(cuts)].sort((a, b) => a - b), stream.length];
        for (let i = 1; i < at.length; i++) f.push(stream.subarray(at[i - 1], at[i]));
        assert.equal(closed(), false);
        assert.ok(Buffer.concat(sent).equals(stream), 'the client gets every byte');
        assert.equal(results.length, 1);
        assert.equal(results[0]!.row_count, 3);
        const show = (b: Buffer) => (binary ? `\\x${b.toString('hex')}` : b.toString());
        // Recorded up to record_rows, as held rows are.
        assert.deepEqual(results[0]!.rows, [
          [show(id), large, null, show(Buffer.from('note'))],
          [show(Buffer.from('8')), show(Buffer.from('small')), null, show(Buffer.alloc(0))],
        ]);
      }),
      { numRuns: 15 },
    );
  }
});

// A held row that does not add up closes the connection (the tracker's protocol_violation, caught
// by the follower); a streamed one must do the same, not throw out of the socket's data handler.
test('a streamed row whose lengths do not add up closes the connection, as a held one does', () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 0x78);
  const good = rowOf([Buffer.from('1'), big]);
  // The second length claims more than the message holds.
  const bad = Buffer.from(good);
  bad.writeInt32BE(big.length + 1, 5 + 2 + 4 + 1);
  const heldBad = rowOf([Buffer.from('1'), Buffer.from('x')]);
  heldBad.writeInt32BE(2, 5 + 2 + 4 + 1);
  for (const row of [bad, heldBad]) {
    const {
      follower: f,
      sent,
      results,
      closed,
      warned,
    } = recording(5, {
      kind: 'query',
      batch: 0,
      exec: { started: 0 },
    } as Expectation);
    f.push(row.subarray(0, 3));
    f.push(row.subarray(3, 64 * 1024));
    assert.equal(closed(), true);
    assert.deepEqual(warned, ['unreadable message from the upstream']);
    assert.ok(Buffer.concat(sent).length <= 5, 'the value after the bad length is not passed on');
    assert.equal(results.length, 0);
    f.push(row.subarray(64 * 1024));
    assert.equal(results.length, 0);
  }
});

// A server's usual answer (RowDescription, DataRow, CommandComplete, ReadyForQuery) arrives in one
// chunk and was copied into a new buffer before it went to the client: one allocation and copy per
// statement on the gateway's busiest thread. Until 7 December.
test('an answer read in one chunk and passed on unchanged reaches the client without a copy', () => {
  const { follower: f, sent } = follower();
  const answer = Buffer.concat([
    dataRow(Buffer.from('42')),
    message('C', Buffer.from('SELECT 1\0')),
    message('Z', Buffer.from('I')),
  ]);
  f.push(answer);
  assert.equal(sent.length, 1);
  assert.ok(sent[0]!.equals(answer));
  assert.equal(sent[0]!.buffer, answer.buffer, 'the bytes the client gets are the chunk read');
  assert.equal(sent[0]!.byteOffset, answer.byteOffset);
});
