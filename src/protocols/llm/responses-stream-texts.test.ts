import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponsesStreamTexts } from './responses-stream-texts.js';

const message = (text: string) => ({ type: 'message', content: [{ type: 'output_text', text }] });
const call = (args: string) => ({ type: 'function_call', call_id: 'c', name: 'f', arguments: args });
const completed = (...output: object[]) => ({ type: 'response.completed', response: { output } });
const delta = (output_index: number, text: string, content_index = 0) => ({
  type: 'response.output_text.delta',
  output_index,
  content_index,
  delta: text,
});
const argsDelta = (output_index: number, text: string) => ({
  type: 'response.function_call_arguments.delta',
  output_index,
  delta: text,
});

/** The reason the last event was refused, or null when every event was read alike. */
function read(...events: object[]): string | null {
  const texts = new ResponsesStreamTexts();
  for (const [i, e] of events.entries()) {
    const said = texts.read(e as Record<string, unknown>);
    if (said !== null) return i === events.length - 1 ? said : `refused early at ${i}: ${said}`;
  }
  return null;
}

test('texts read alike in pieces, done and in the final response pass', () => {
  assert.equal(
    read(
      delta(0, 'hel'),
      delta(0, 'lo'),
      { type: 'response.output_text.done', output_index: 0, content_index: 0, text: 'hello' },
      {
        type: 'response.content_part.done',
        output_index: 0,
        content_index: 0,
        part: { type: 'output_text', text: 'hello' },
      },
      argsDelta(1, '{"a"'),
      argsDelta(1, ':1}'),
      { type: 'response.output_item.done', output_index: 1, item: call('{"a":1}') },
      completed(message('hello'), call('{"a":1}')),
    ),
    null,
  );
  // A done event without pieces before it, and texts never streamed, are the final response's.
  assert.equal(
    read(
      { type: 'response.output_text.done', output_index: 0, content_index: 0, text: 'whole' },
      completed(message('whole'), call('{}')),
    ),
    null,
  );
});

test('a reading that contradicts the one before it is named', () => {
  const refused = [
    [
      delta(0, 'rm -rf /'),
      { type: 'response.output_text.done', output_index: 0, content_index: 0, text: 'hi' },
    ],
    [
      delta(0, 'rm -rf /'),
      { type: 'response.content_part.done', output_index: 0, content_index: 0, part: { text: 'hi' } },
    ],
    [delta(0, 'rm -rf /'), { type: 'response.output_item.done', output_index: 0, item: message('hi') }],
    [delta(0, 'rm -rf /'), completed(message('hi'))],
    [delta(0, 'hi'), delta(2, ' hidden'), completed(message('hi'))],
    [delta(0, 'hi'), delta(0, ' hidden', 1), completed(message('hi'))],
    [argsDelta(0, '{"cmd":"rm"}'), completed(call('{}'))],
    [{ type: 'response.output_text.delta', delta: 'no index' }],
    [{ type: 'response.output_text.delta', output_index: '0', content_index: 0, delta: 'x' }],
  ];
  for (const events of refused) assert.notEqual(read(...events), null, JSON.stringify(events));
});
