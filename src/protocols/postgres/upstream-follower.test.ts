import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { DbResultPayload } from '../../core/db-payloads.js';
import type { Relay } from '../../relay/index.js';
import { FrameReader } from './frame-reader.js';
import { type Expectation, ResponseTracker } from './response-tracker.js';
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
