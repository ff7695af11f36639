// The known-secrets rewriter as a property: whatever cuts an upstream makes in a streamed text (raw
// key, JSON-escaped, `\u`-escaped, several keys, prose around them), the text a client joins from
// the rewritten events is the whole text with the known secrets masked, and an event whose text
// holds no start of a key goes out as it came.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { createMasker } from '../../mask/index.js';
import { KnownSecretsSseRewriter } from './known-secrets-stream.js';
import { sseEventText } from './sse-events.js';

const SECRET = 'Vg-Echo"Split\\Key-0123456789abcdef';
const masker = createMasker({
  fingerprintKey: 'test-key',
  knownSecrets: [{ value: SECRET, label: 'upstream' }],
});
const ESCAPED = JSON.stringify(SECRET).slice(1, -1);
const SPELLED = [...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

function read(sse: string): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => out.push(e) });
  parser.feed(sse);
  return out;
}

/** Cuts `text` at the given offsets (sorted, deduplicated, within the text). */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const p of points) {
    pieces.push(text.slice(from, p));
    from = p;
  }
  pieces.push(text.slice(from));
  return pieces;
}

const text = fc
  .array(fc.constantFrom(SECRET, ESCAPED, SPELLED, SECRET.slice(0, 9), ' and ', 'Vg', '\\', '"', 'prose. '), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

test('chat content cut anywhere: the joined text is the whole text masked', () => {
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (whole, at) => {
      const w = new KnownSecretsSseRewriter('openai.chat', masker);
      const chunk = (delta: object, finish: string | null) =>
        ({
          data: JSON.stringify({ id: 'c', choices: [{ index: 0, delta, finish_reason: finish }] }),
        }) as EventSourceMessage;
      let sse = '';
      for (const piece of cut(whole, at)) sse += w.rewrite(chunk({ content: piece }, null));
      sse += w.rewrite(chunk({}, 'stop'));
      const joined = read(sse)
        .map(
          (e) =>
            (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta
              .content ?? '',
        )
        .join('');
      assert.equal(joined, masker.maskKnownSecrets(whole));
    }),
    { numRuns: 300 },
  );
});

test('Anthropic input JSON cut anywhere, ended by the stream: the joined input is the whole input masked', () => {
  fc.assert(
    fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (whole, at) => {
      const w = new KnownSecretsSseRewriter('anthropic.messages', masker);
      let sse = '';
      for (const piece of cut(whole, at)) {
        const data = {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: piece },
        };
        sse += w.rewrite({ event: 'content_block_delta', data: JSON.stringify(data) } as EventSourceMessage);
      }
      sse += w.finish();
      const joined = read(sse)
        .map((e) => (JSON.parse(e.data) as { delta: { partial_json: string } }).delta.partial_json)
        .join('');
      assert.equal(joined, masker.maskKnownSecrets(whole));
    }),
    { numRuns: 300 },
  );
});

test('an event whose text holds no start of a key goes out as it came', () => {
  const w = new KnownSecretsSseRewriter('openai.chat', masker);
  const event = {
    data: '{"id":"c","choices":[{"index":0,"delta":{"content":"plain words "},"finish_reason":null}]}',
  };
  assert.equal(w.rewrite(event as EventSourceMessage), sseEventText(event as EventSourceMessage));
});
