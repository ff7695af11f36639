import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnthropicMessageBuilder } from './anthropic-stream-body.js';

test('an Anthropic stream is rebuilt into the message it streams, server tool results and citations included', () => {
  const ev = (type: string, data: object) => ({ type, ...data });
  const result = {
    type: 'web_search_tool_result',
    tool_use_id: 'srv_1',
    content: [{ type: 'web_search_result', url: 'https://a.example', title: 'A' }],
  };
  const citation = { type: 'web_search_result_location', url: 'https://a.example', cited_text: 'x' };
  const events = [
    ev('message_start', {
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        usage: { input_tokens: 4 },
      },
    }),
    ev('content_block_start', {
      index: 0,
      content_block: { type: 'server_tool_use', id: 'srv_1', name: 'web_search', input: {} },
    }),
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"query":' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '"a"}' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: result }),
    ev('content_block_stop', { index: 1 }),
    ev('content_block_start', { index: 2, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'A says ' } }),
    ev('content_block_delta', { index: 2, delta: { type: 'citations_delta', citation } }),
    ev('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'x.' } }),
    ev('content_block_stop', { index: 2 }),
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 9 },
    }),
    ev('message_stop', {}),
  ];
  const builder = new AnthropicMessageBuilder();
  for (const event of events) builder.push(event);
  assert.deepEqual(builder.body(), {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'm',
    content: [
      { type: 'server_tool_use', id: 'srv_1', name: 'web_search', input: { query: 'a' } },
      result,
      { type: 'text', text: 'A says x.', citations: [citation] },
    ],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 4, output_tokens: 9 },
  });
});

test('a tool input cut short stays as the text that came; before message_start there is no message', () => {
  const builder = new AnthropicMessageBuilder();
  assert.equal(builder.body(), null);
  builder.push({ type: 'message_start', message: { id: 'm' } });
  builder.push({
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'tool_use', id: 't', name: 'f', input: {} },
  });
  builder.push({
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'input_json_delta', partial_json: '{"a":' },
  });
  assert.deepEqual(builder.body(), {
    id: 'm',
    content: [{ type: 'tool_use', id: 't', name: 'f', input: '{"a":' }],
  });
});

test("the message's choice is read from it, with each tool's input as the JSON text that streamed", () => {
  const builder = new AnthropicMessageBuilder();
  assert.deepEqual(builder.choices(), [], 'nothing before message_start');
  builder.push({ type: 'message_start', message: { id: 'msg_1', role: 'assistant', content: [] } });
  builder.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  builder.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Looking.' } });
  builder.push({
    type: 'content_block_start',
    index: 1,
    content_block: { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} },
  });
  // Spacing and a number past 2^53: parsing and writing the input again would change both.
  for (const piece of ['{"id": 1234567890', '1234567890,', ' "q": "x"}'])
    builder.push({
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: piece },
    });
  builder.push({ type: 'content_block_stop', index: 1 });
  builder.push({
    type: 'content_block_start',
    index: 2,
    content_block: {
      type: 'server_tool_use',
      id: 'srvtoolu_1',
      name: 'web_search',
      input: { query: 'vigil' },
    },
  });
  builder.push({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } });
  assert.deepEqual(builder.choices(), [
    {
      index: 0,
      text: 'Looking.',
      reasoning: '',
      finishReason: 'tool_use',
      toolCalls: [
        { id: 'toolu_1', name: 'lookup', arguments: '{"id": 12345678901234567890, "q": "x"}' },
        { id: 'srvtoolu_1', name: 'web_search', arguments: '{"query":"vigil"}' },
      ],
    },
  ]);
});
