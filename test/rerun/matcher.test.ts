// The re-run's matching rules, on recorded calls built in memory: content keys that ignore key
// order and transport fields, identical requests answered in recorded order, and a miss explained
// by the closest recorded request and the point where the prompts part.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { JsonValue } from '../../src/core/events.js';
import type { LlmApi } from '../../src/core/llm-payloads.js';
import { RerunMatcher } from '../../src/rerun/matcher.js';
import type { RecordedCall } from '../../src/rerun/recorded-calls.js';
import { requestKey } from '../../src/rerun/request-key.js';
import { recordedResponse } from '../support/llm-records.js';

function call(position: number, body: JsonValue, text: string, api: LlmApi = 'openai.chat'): RecordedCall {
  const response = recordedResponse(`r${position}`, [{ text }]);
  return {
    position,
    requestId: `r${position}`,
    connection: 'oa',
    api,
    path: '/v1/chat/completions',
    stream: false,
    body,
    key: requestKey(api, '/v1/chat/completions', body),
    time: '2026-01-01T00:00:00.000Z',
    response,
  };
}

const chat = (prompt: string, extra: Record<string, JsonValue> = {}): JsonValue => ({
  model: 'gpt-4',
  messages: [{ role: 'user', content: prompt }],
  ...extra,
});

/** Any JSON object body, with a shuffled copy and transport fields added. */
const jsonObject = fc.dictionary(
  fc.string({ maxLength: 6 }).filter((k) => k !== 'stream' && k !== 'stream_options'),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  { maxKeys: 6 },
);

function reordered(value: JsonValue, seed: number): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => reordered(v, seed + 1));
  const entries = Object.entries(value);
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length]!);
  return Object.fromEntries(rotated.map(([k, v]) => [k, reordered(v, seed + 1)]));
}

test('the key ignores object key order and the transport-only fields, and nothing else', () => {
  fc.assert(
    fc.property(jsonObject, fc.nat(10), fc.boolean(), (body, seed, includeUsage) => {
      const streamed = { ...body, stream: true, stream_options: { include_usage: includeUsage } };
      const a = requestKey('openai.chat', '/p', body);
      assert.equal(requestKey('openai.chat', '/p', reordered(streamed, seed)), a);
      assert.notEqual(requestKey('openai.chat', '/p', { ...body, extra_field_: 1 }), a);
      assert.notEqual(requestKey('anthropic.messages', '/p', body), a);
    }),
  );
});

test('canonical JSON parses back to the same value', () => {
  fc.assert(
    fc.property(fc.jsonValue() as fc.Arbitrary<JsonValue>, (value) => {
      assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
    }),
  );
});

test('identical requests get the recorded answers in recorded order, then are reported as exhausted', () => {
  const matcher = new RerunMatcher([
    call(1, chat('same'), 'first'),
    call(2, chat('other'), 'x'),
    call(3, chat('same'), 'second'),
  ]);
  const a = matcher.match('openai.chat', '/v1/chat/completions', chat('same', { stream: true }));
  const b = matcher.match('openai.chat', '/v1/chat/completions', chat('same'));
  assert.equal(a.kind === 'answer' && a.call.response.choices[0]!.text, 'first');
  assert.equal(b.kind === 'answer' && b.call.response.choices[0]!.text, 'second');
  const c = matcher.match('openai.chat', '/v1/chat/completions', chat('same'));
  assert.equal(c.kind, 'unmatched');
  if (c.kind !== 'unmatched') return;
  assert.equal(c.unmatched.reason, 'exhausted');
  assert.equal(c.unmatched.position, 3);
  assert.equal(c.unmatched.closest?.position, 1);
  assert.deepEqual(matcher.unserved(), [2]);
});

test('a changed prompt is reported with its position, the closest recorded request and where they part', () => {
  const recorded = [
    call(1, chat('Input: 4 5 6 10\nPossible next steps:'), 'a'),
    call(2, chat('Evaluate if given numbers can reach 24 (sure/likely/impossible)\n10 14'), 'b'),
    call(3, chat('Evaluate if given numbers can reach 24 (sure/likely/impossible)\n4 6 15'), 'c'),
  ];
  const matcher = new RerunMatcher(recorded);
  assert.equal(matcher.match('openai.chat', '/v1/chat/completions', recorded[0]!.body).kind, 'answer');
  const miss = matcher.match(
    'openai.chat',
    '/v1/chat/completions',
    chat('Evaluate if given numbers can reach 24 (sure/likely/impossible)\n4 6 16'),
  );
  assert.equal(miss.kind, 'unmatched');
  if (miss.kind !== 'unmatched') return;
  assert.equal(miss.unmatched.position, 2);
  assert.equal(miss.unmatched.reason, 'no_match');
  assert.equal(miss.unmatched.closest?.position, 3);
  const d = miss.unmatched.divergence!;
  assert.equal(d.in, 'prompt');
  const prefix = 'user: Evaluate if given numbers can reach 24 (sure/likely/impossible)\n4 6 1';
  assert.equal(d.offset, prefix.length);
  assert.ok(d.recorded.endsWith('4 6 15'), d.recorded);
  assert.ok(d.rerun.endsWith('4 6 16'), d.rerun);
  assert.deepEqual(d.parameters, []);
});

test('the same prompt with other parameters is reported as a parameter change', () => {
  const matcher = new RerunMatcher([call(1, chat('hi', { temperature: 0.7 }), 'a')]);
  const miss = matcher.match(
    'openai.chat',
    '/v1/chat/completions',
    chat('hi', { temperature: 0.2, stream: true }),
  );
  assert.equal(miss.kind, 'unmatched');
  if (miss.kind !== 'unmatched') return;
  assert.equal(miss.unmatched.divergence?.in, 'parameters');
  assert.deepEqual(miss.unmatched.divergence?.parameters, ['temperature']);
});
