import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
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

/**
 * One way a provider streams a text in pieces: the SSE of the pieces, and how to read the text the
 * client received back out of the rewritten events.
 */
interface PieceStream {
  readonly name: string;
  readonly api: 'openai.chat' | 'anthropic.messages' | 'openai.responses';
  sse(pieces: readonly string[]): string;
  received(events: readonly { event?: string; data: string }[]): string;
}

const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const chunk = (choice: object) =>
  `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, ...choice }] })}\n\n`;
const json = (events: readonly { data: string }[]) =>
  events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as Record<string, any>);

const STREAMS: readonly PieceStream[] = [
  ...(['reasoning_content', 'reasoning', 'refusal'] as const).map(
    (field): PieceStream => ({
      name: `chat delta.${field}`,
      api: 'openai.chat',
      sse: (pieces) =>
        pieces.map((p) => chunk({ delta: { [field]: p } })).join('') +
        chunk({ delta: {}, finish_reason: 'stop' }) +
        'data: [DONE]\n\n',
      received: (events) =>
        json(events)
          .map((d) => d.choices[0]?.delta?.[field] ?? '')
          .join(''),
    }),
  ),
  {
    name: 'chat tool call arguments',
    api: 'openai.chat',
    sse: (pieces) =>
      chunk({
        delta: {
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }],
        },
      }) +
      pieces
        .map((p) => chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: p } }] } }))
        .join('') +
      chunk({ delta: {}, finish_reason: 'tool_calls' }) +
      'data: [DONE]\n\n',
    received: (events) =>
      json(events)
        .flatMap((d) => d.choices[0]?.delta?.tool_calls ?? [])
        .map((c: any) => c.function?.arguments ?? '')
        .join(''),
  },
  {
    name: 'chat free-form (custom) tool call input',
    api: 'openai.chat',
    sse: (pieces) =>
      chunk({
        delta: {
          tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: 'shell', input: '' } }],
        },
      }) +
      pieces.map((p) => chunk({ delta: { tool_calls: [{ index: 0, custom: { input: p } }] } })).join('') +
      chunk({ delta: {}, finish_reason: 'tool_calls' }) +
      'data: [DONE]\n\n',
    received: (events) =>
      json(events)
        .flatMap((d) => d.choices[0]?.delta?.tool_calls ?? [])
        .map((c: any) => c.custom?.input ?? '')
        .join(''),
  },
  {
    name: 'chat legacy function_call arguments',
    api: 'openai.chat',
    sse: (pieces) =>
      chunk({ delta: { function_call: { name: 'f', arguments: '' } } }) +
      pieces.map((p) => chunk({ delta: { function_call: { arguments: p } } })).join('') +
      chunk({ delta: {}, finish_reason: 'function_call' }) +
      'data: [DONE]\n\n',
    received: (events) =>
      json(events)
        .map((d) => d.choices[0]?.delta?.function_call?.arguments ?? '')
        .join(''),
  },
  ...(
    [
      ['thinking', 'thinking_delta', 'thinking'],
      ['tool_use', 'input_json_delta', 'partial_json'],
    ] as const
  ).map(
    ([block, type, field]): PieceStream => ({
      name: `Anthropic ${type}`,
      api: 'anthropic.messages',
      sse: (pieces) =>
        ev('message_start', { message: { id: 'm' } }) +
        ev('content_block_start', { index: 0, content_block: { type: block } }) +
        pieces.map((p) => ev('content_block_delta', { index: 0, delta: { type, [field]: p } })).join('') +
        ev('content_block_stop', { index: 0 }) +
        ev('message_stop', {}),
      received: (events) =>
        json(events)
          .filter((d) => d.type === 'content_block_delta')
          .map((d) => d.delta[field] ?? '')
          .join(''),
    }),
  ),
  ...(
    [
      'response.output_text',
      'response.reasoning_summary_text',
      'response.function_call_arguments',
      'response.custom_tool_call_input',
      'response.mcp_call_arguments',
      'response.code_interpreter_call_code',
    ] as const
  ).map(
    (family): PieceStream => ({
      name: `Responses ${family}`,
      api: 'openai.responses',
      sse: (pieces) =>
        pieces
          .map((p, i) =>
            ev(`${family}.delta`, { sequence_number: i, item_id: 'it_1', output_index: 0, delta: p }),
          )
          .join('') +
        // The done event repeats the whole text (or arguments), as the API sends it.
        ev(`${family}.done`, {
          item_id: 'it_1',
          output_index: 0,
          text: pieces.join(''),
          arguments: pieces.join(''),
          input: pieces.join(''),
          code: pieces.join(''),
        }) +
        ev('response.completed', { response: { id: 'resp_1', output: [] } }),
      received: (events) =>
        json(events)
          .filter((d) => d.type === `${family}.delta`)
          .map((d) => d.delta as string)
          .join(''),
    }),
  ),
];

test('a secret cut anywhere across the pieces of any streamed text (reasoning, tool arguments, thinking) never reaches the client', () => {
  // The second text ends inside a word, which a stream holds until its item ends: the closing delta.
  for (const text of [`{"query": "connect with ${SECRET} now"}`, `use ${SECRET} then continue`])
    for (const stream of STREAMS) {
      const start = text.indexOf(SECRET);
      for (let cut = start; cut <= start + SECRET.length; cut++) {
        const rewriter = new SseMaskingRewriter(stream.api, masker, 'c');
        const output = rewriter.push(Buffer.from(stream.sse([text.slice(0, cut), text.slice(cut)])));
        assert.ok(
          !output.includes(SECRET.slice(4)),
          `${stream.name}: the secret reached the client (cut ${cut})`,
        );
        assert.equal(
          stream.received(events(output)),
          masker.maskText(text, 'c'),
          `${stream.name} at cut ${cut}`,
        );
      }
    }
});

test("a Responses stream's closing delta carries its place and the held text, not the done event's whole text", () => {
  const text = `use ${SECRET} then continue`;
  const sse =
    ev('response.output_text.delta', {
      sequence_number: 1,
      item_id: 'it_1',
      output_index: 0,
      content_index: 0,
      delta: text,
    }) +
    ev('response.output_text.done', {
      sequence_number: 2,
      item_id: 'it_1',
      output_index: 0,
      content_index: 0,
      text,
    });
  const output = new SseMaskingRewriter('openai.responses', masker, 'c').push(Buffer.from(sse));
  assert.ok(!output.includes(SECRET), output);
  const closing = json(events(output))
    .filter((d) => d.type === 'response.output_text.delta')
    .at(-1)!;
  assert.deepEqual(Object.keys(closing).sort(), [
    'content_index',
    'delta',
    'item_id',
    'output_index',
    'sequence_number',
    'type',
  ]);
  assert.match(closing.delta, /continue$/);
});

test('any events, of any shape, are rewritten without throwing, as events of JSON', () => {
  const field = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
  );
  const delta = fc.record(
    {
      type: fc.constantFrom('text_delta', 'thinking_delta', 'input_json_delta', 'signature_delta', 'x'),
      text: field,
      thinking: field,
      partial_json: field,
      content: field,
      reasoning_content: field,
      tool_calls: fc.oneof(
        field,
        fc.array(
          fc.record(
            {
              index: fc.oneof(fc.nat(3), fc.string()),
              function: fc.oneof(field, fc.record({ arguments: field })),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  const data = fc.record(
    {
      type: fc.constantFrom(
        'content_block_delta',
        'content_block_stop',
        'response.output_text.delta',
        'response.output_text.done',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'message_stop',
      ),
      index: fc.oneof(fc.nat(2), fc.string()),
      item_id: fc.oneof(fc.string(), fc.constant(undefined)),
      delta: fc.oneof(delta, field),
      text: field,
      choices: fc.oneof(
        field,
        fc.array(
          fc.record(
            {
              index: fc.oneof(fc.nat(2), fc.string()),
              delta: fc.oneof(delta, field),
              text: field,
              finish_reason: fc.oneof(fc.constant('stop'), field),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.constantFrom('openai.chat', 'anthropic.messages', 'openai.responses') as fc.Arbitrary<'openai.chat'>,
      fc.array(data, { maxLength: 8 }),
      (api, items) => {
        const rewriter = new SseMaskingRewriter(api, masker, 'c');
        const sse = items.map((d) => `data: ${JSON.stringify(d)}\n\n`).join('');
        const output = rewriter.push(Buffer.from(sse));
        for (const e of events(output)) JSON.parse(e.data);
      },
    ),
    { numRuns: 400 },
  );
});
