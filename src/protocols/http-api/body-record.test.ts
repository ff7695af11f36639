// A body's record is the same however it arrived in chunks: the same kept prefix, hash and length.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { BodyRecorder } from './body-record.js';

test('the record does not depend on where the body was split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.integer({ min: 0, max: 40 }), (bytes, cap) => {
      const whole = new BodyRecorder(cap);
      whole.add(Buffer.from(bytes));
      const expected = whole.record('text/plain');
      for (let cut = 0; cut <= bytes.length; cut++) {
        const split = new BodyRecorder(cap);
        split.add(Buffer.from(bytes.subarray(0, cut)));
        split.add(Buffer.from(bytes.subarray(cut)));
        assert.deepEqual(split.record('text/plain'), expected);
      }
      assert.equal(expected.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(expected.bytes, bytes.length);
    }),
    { numRuns: 300 },
  );
});

test('binary bodies are recorded by hash only', () => {
  const r = new BodyRecorder(100);
  r.add(Buffer.from([0, 1, 2]));
  const rec = r.record('image/png');
  assert.equal(rec.binary, true);
  assert.equal(rec.text, undefined);
});

test("a cap that falls inside a key drops the key's start rather than keep it in part", () => {
  const key = 'sk-live-7f3a9c2e11b04d5e8a6f';
  const body = `{"note": "rotate", "key": "${key}", "more": "${'x'.repeat(40)}"}`;
  const start = body.indexOf(key);
  for (let cap = start + 1; cap < start + key.length; cap++) {
    for (let cut = 0; cut <= body.length; cut += 9) {
      const r = new BodyRecorder(cap);
      r.add(Buffer.from(body.slice(0, cut)));
      r.add(Buffer.from(body.slice(cut)));
      const rec = r.record('application/json');
      assert.equal(rec.text, body.slice(0, start), `cap ${cap}, split ${cut}`);
      assert.equal(rec.truncated, true);
    }
  }
  // Cut right after the key, before its closing quote: the key is whole and kept.
  const whole = new BodyRecorder(start + key.length);
  whole.add(Buffer.from(body));
  assert.equal(whole.record('application/json').text, body.slice(0, start + key.length));
});
