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

test('a text body labelled as binary, or not labelled, is recorded as the text an upstream reads', () => {
  const body = '{"amount": 1000000, "to": "acct_attacker", "note": "café"}';
  for (const type of [undefined, 'application/octet-stream', 'application/x-unknown']) {
    const r = new BodyRecorder(1000);
    r.add(Buffer.from(body));
    assert.deepEqual(r.record(type).text, body, String(type));
  }
  // Cut by the cap inside a multi-byte character: the character's first bytes are dropped.
  const cut = new BodyRecorder(Buffer.byteLength('{"note": "caf') + 1);
  cut.add(Buffer.from('{"note": "café"}'));
  const cutRecord = cut.record(undefined);
  assert.equal(cutRecord.truncated, true);
  assert.equal(typeof cutRecord.text, 'string');
  assert.ok(!String(cutRecord.text).includes('\uFFFD'));
  // Bytes no text parser reads as text stay binary, and so does a body of which nothing is kept.
  for (const bytes of [
    [0x7b, 0x00, 0x7d],
    [0xff, 0xfe, 0x41],
    [0x61, 0x1b, 0x62],
  ]) {
    const r = new BodyRecorder(100);
    r.add(Buffer.from(bytes));
    assert.equal(r.record('application/octet-stream').binary, true, String(bytes));
  }
  const none = new BodyRecorder(0);
  none.add(Buffer.from(body));
  assert.equal(none.record(undefined).binary, true);
});
