import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../mask/index.js';
import { maskedTokens, maskLogprobs } from './logprob-masking.js';

const KEY = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';
const masker = createMasker({ fingerprintKey: 'test-key' });
const maskText = (text: string) => masker.maskText(text, 'c');

/** `text` cut at the given offsets, as a tokenizer might cut it. */
function cut(text: string, offsets: number[]): string[] {
  const at = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const tokens: string[] = [];
  let from = 0;
  for (const o of [...at, text.length]) {
    tokens.push(text.slice(from, o));
    from = o;
  }
  return tokens;
}

test('however a text with a key is cut into tokens, the tokens spell the masked text and no part of the key', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      (before, after, offsets) => {
        const text = `${before} ${KEY} ${after}`;
        const tokens = cut(text, offsets);
        const masked = maskedTokens(tokens, maskText);
        assert.ok(masked !== null);
        assert.equal(masked.length, tokens.length, 'one token for each');
        assert.equal(masked.join(''), maskText(text));
        assert.ok(!masked.join('').includes(KEY.slice(8)));
      },
    ),
    { numRuns: 300 },
  );
});

test('text with nothing to mask leaves the body as it is', () => {
  const body = {
    choices: [{ logprobs: { content: [{ token: 'hi', bytes: [104, 105], top_logprobs: [] }] } }],
  };
  assert.equal(maskLogprobs(body, maskText), body);
  assert.equal(maskedTokens(['a', 'b'], maskText), null);
});

test('masked tokens take their bytes from the new text and lose their alternatives; a completion its top_logprobs', () => {
  const tokens = ['key ', KEY.slice(0, 10), KEY.slice(10), ' ok'];
  const entry = (token: string) => ({
    token,
    bytes: [...Buffer.from(token)],
    top_logprobs: [{ token, bytes: [] }],
  });
  const chat = maskLogprobs({ logprobs: { content: tokens.map(entry) } }, maskText);
  const content = chat.logprobs.content;
  assert.equal(content[0]!.token, 'key ');
  assert.equal(content[0]!.top_logprobs.length, 1, 'an unmasked token keeps its alternatives');
  assert.deepEqual(content[1]!.bytes, [...Buffer.from(content[1]!.token)]);
  assert.deepEqual(content[1]!.top_logprobs, []);
  assert.equal(content[2]!.token, '');
  const completion = maskLogprobs(
    { logprobs: { tokens, top_logprobs: tokens.map((t) => ({ [t]: -1 })) } },
    maskText,
  );
  assert.ok(!completion.logprobs.tokens.join('').includes(KEY.slice(8)));
  assert.deepEqual(completion.logprobs.top_logprobs[1], {});
  assert.deepEqual(completion.logprobs.top_logprobs[3], { ' ok': -1 });
});
