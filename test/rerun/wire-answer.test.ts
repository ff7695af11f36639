// Streams rebuilt from recorded choices, read back by the gateway's own stream reader (the code that
// recorded them): every choice's text, tool calls and finish reason come back unchanged, whatever
// the byte boundaries the stream is cut at. Split at every byte for a fixed answer, at random points
// for generated ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LlmApi, LlmChoice } from '../../src/core/llm-payloads.js';
import { StreamAssembler } from '../../src/protocols/llm/stream-assembler.js';
import { anthropicStream } from '../../src/rerun/anthropic-wire.js';
import { chatStream, completionStream } from '../../src/rerun/openai-wire.js';
import { streamDelays, wholeDelay } from '../../src/rerun/pacing.js';
import { type AnswerHead, textPieces } from '../../src/rerun/wire-pieces.js';

const head: AnswerHead = { id: 'chatcmpl-1', created: 1, model: 'gpt-4', requestId: 'r_1', extra: {} };

function readBack(
  api: LlmApi,
  bytes: Buffer,
  cuts: readonly number[],
): { choices: LlmChoice[]; terminal: boolean } {
  const assembler = new StreamAssembler(api);
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    assembler.push(bytes.subarray(from, at));
    from = at;
  }
  assembler.push(bytes.subarray(from));
  return { choices: assembler.choices(), terminal: assembler.terminal };
}

const text = fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\n', '😀', '"', 'data: ', '\r') });
const toolCall = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom('c', 'a', 'l', '_', '1') }),
  name: fc.constantFrom('run_sql', 'search'),
  arguments: fc.json(),
});
const choices = (max: number) =>
  fc
    .array(fc.record({ text, reasoning: text, toolCalls: fc.array(toolCall, { maxLength: 2 }) }), {
      minLength: 1,
      maxLength: max,
    })
    .map((list) =>
      list.map(
        (c, index): LlmChoice => ({
          index,
          text: c.text,
          reasoning: c.reasoning,
          finishReason: c.toolCalls.length ? 'tool_calls' : 'stop',
          toolCalls: c.toolCalls.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments })),
        }),
      ),
    );

const cutsOf = (length: number) => fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 });

test('word pieces put back together are the text', () => {
  fc.assert(fc.property(text, (t) => assert.equal(textPieces(t).join(''), t)));
});

test('a rebuilt chat stream with n choices and tool calls reads back as recorded, cut anywhere', () => {
  fc.assert(
    fc.property(choices(3), fc.boolean(), fc.nat(), (recorded, withUsage, seed) => {
      const bytes = Buffer.from(chatStream(head, recorded, withUsage ? { total_tokens: 3 } : null).join(''));
      const cuts = fc.sample(cutsOf(bytes.length), { numRuns: 1, seed })[0]!;
      const back = readBack('openai.chat', bytes, cuts);
      assert.equal(back.terminal, true);
      assert.deepEqual(back.choices, recorded);
    }),
  );
});

test('a rebuilt chat stream reads back the same when split at every byte', () => {
  const recorded: LlmChoice[] = [
    {
      index: 0,
      text: 'Thought: count first 😀',
      reasoning: 'The table is small; counting it is cheap.',
      finishReason: 'tool_calls',
      toolCalls: [{ id: 'call_1', name: 'run_sql', arguments: '{"query":"SELECT 1"}' }],
    },
    { index: 1, text: 'étape deux', reasoning: '', finishReason: 'stop', toolCalls: [] },
  ];
  const bytes = Buffer.from(chatStream(head, recorded, null).join(''));
  for (let at = 0; at <= bytes.length; at++) {
    assert.deepEqual(readBack('openai.chat', bytes, [at]).choices, recorded, `split at ${at}`);
  }
});

test('a rebuilt completions stream reads back as recorded', () => {
  fc.assert(
    fc.property(choices(3), fc.nat(), (generated, seed) => {
      // Completions carry no reasoning.
      const recorded = generated.map((c) => ({ ...c, reasoning: '', toolCalls: [], finishReason: 'stop' }));
      const bytes = Buffer.from(completionStream(head, recorded, null).join(''));
      const cuts = fc.sample(cutsOf(bytes.length), { numRuns: 1, seed })[0]!;
      assert.deepEqual(readBack('openai.completions', bytes, cuts).choices, recorded);
    }),
  );
});

test('a rebuilt Anthropic stream reads back as recorded, cut anywhere', () => {
  fc.assert(
    fc.property(choices(1), fc.nat(), (generated, seed) => {
      const c = generated[0]!;
      // Anthropic arguments are a JSON object; its text block is absent when only tools answered.
      const recorded: LlmChoice[] = [
        {
          ...c,
          finishReason: c.toolCalls.length ? 'tool_use' : 'end_turn',
          toolCalls: c.toolCalls.map((t) => ({ ...t, arguments: '{"q":1}' })),
        },
      ];
      const bytes = Buffer.from(
        anthropicStream(head, recorded, { input_tokens: 3, output_tokens: 4 }).join(''),
      );
      const cuts = fc.sample(cutsOf(bytes.length), { numRuns: 1, seed })[0]!;
      const back = readBack('anthropic.messages', bytes, cuts);
      assert.equal(back.terminal, true);
      assert.equal(back.choices[0]!.text, recorded[0]!.text);
      assert.equal(back.choices[0]!.finishReason, recorded[0]!.finishReason);
      assert.deepEqual(
        back.choices[0]!.toolCalls.map((t) => [t.name, t.arguments]),
        recorded[0]!.toolCalls.map((t) => [t.name, t.arguments]),
      );
    }),
  );
});

test('recorded timing: a stream waits its time to first token, then spreads the rest over the gaps', () => {
  const r = { stream: true, ttftMs: 100, durationMs: 400 };
  assert.deepEqual(streamDelays(r, 4, 'recorded'), [100, 100, 100, 100]);
  assert.deepEqual(streamDelays(r, 4, 'fast'), [0, 0, 0, 0]);
  assert.deepEqual(streamDelays({ stream: false, ttftMs: null, durationMs: 50 }, 3, 'recorded'), [50, 0, 0]);
  assert.equal(wholeDelay(r, 'recorded'), 400);
  assert.equal(wholeDelay(r, 'fast'), 0);
});
