import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { createMasker } from '../../mask/index.js';
import { SseMaskingRewriter } from './live-masking.js';

const SECRET = 'sk-live-7f3a9c2e11b04d5e8a6f';
const masker = createMasker({
  fingerprintKey: 'test-key',
  knownSecrets: [{ value: SECRET, label: 'upstream' }],
});

function events(output: string): { event?: string; data: string }[] {
  const out: { event?: string; data: string }[] = [];
  const parser = createParser({ onEvent: (e) => out.push({ event: e.event, data: e.data }) });
  parser.feed(output);
  return out;
}

test('a secret split across OpenAI deltas at any offset never reaches the client', () => {
  const text = `Use the key ${SECRET} to connect.`;
  const start = text.indexOf(SECRET);
  for (let cut = start; cut <= start + SECRET.length; cut++) {
    const deltas = [text.slice(0, cut), text.slice(cut)];
    const sse =
      deltas
        .map((d) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: d } }] })}\n\n`)
        .join('') +
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`;
    const rewriter = new SseMaskingRewriter('openai.chat', masker, 'c');
    // Feed byte by byte: the rewriter must not depend on how the network splits the stream.
    let output = '';
    for (const byte of Buffer.from(sse)) output += rewriter.push(Uint8Array.of(byte));
    assert.ok(!output.includes(SECRET), `secret leaked at cut ${cut}`);
    const parsed = events(output);
    const content = parsed
      .filter((e) => e.data !== '[DONE]')
      .map((e) => (JSON.parse(e.data).choices[0]?.delta?.content as string | undefined) ?? '')
      .join('');
    assert.equal(content, masker.maskText(text, 'c'));
    assert.equal(parsed.at(-1)?.data, '[DONE]');
    assert.ok(parsed.length >= 3, 'still a stream of events');
  }
});

test('Anthropic text deltas are masked and the held-back text is released before the block stops', () => {
  const pieces = ['The key is sk-live-7f3a', '9c2e11b04d5e8a6f', ' — keep it safe'];
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const sse = [
    ev('message_start', { message: { id: 'm' } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces.map((t) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_stop', {}),
  ].join('');
  const rewriter = new SseMaskingRewriter('anthropic.messages', masker, 'c');
  const output = rewriter.push(Buffer.from(sse));
  assert.ok(!output.includes(SECRET));
  const parsed = events(output);
  const text = parsed
    .filter((e) => e.event === 'content_block_delta')
    .map((e) => JSON.parse(e.data).delta.text as string)
    .join('');
  assert.equal(text, masker.maskText(pieces.join(''), 'c'));
  const stop = parsed.findIndex((e) => e.event === 'content_block_stop');
  assert.ok(
    parsed.slice(stop).every((e) => e.event !== 'content_block_delta'),
    'no text after the block stops',
  );
});
