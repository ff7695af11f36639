import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenAiCompletionBuilder } from './openai-stream-body.js';

test('a chat stream is rebuilt into the completion it streams: message, tool calls, annotations, logprobs, usage', () => {
  const annotation = {
    type: 'url_citation',
    url_citation: { url: 'https://a.example', title: 'A', start_index: 0, end_index: 4 },
  };
  const token = (t: string) => ({ token: t, logprob: -0.1, bytes: null, top_logprobs: [] });
  const head = {
    id: 'chatcmpl-9',
    object: 'chat.completion.chunk',
    created: 7,
    model: 'm',
    system_fingerprint: 'fp',
  };
  const chunk = (choice: object) => ({ ...head, choices: [{ index: 0, ...choice }] });
  const chunks = [
    chunk({ delta: { role: 'assistant', content: '' }, logprobs: null }),
    chunk({ delta: { content: 'See ' }, logprobs: { content: [token('See ')] } }),
    chunk({ delta: { content: 'A.', annotations: [annotation] }, logprobs: { content: [token('A.')] } }),
    chunk({
      delta: {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q"' } },
        ],
      },
    }),
    chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }),
    chunk({
      delta: {
        tool_calls: [{ index: 1, id: 'call_2', type: 'custom', custom: { name: 'sh', input: 'ls' } }],
      },
    }),
    chunk({ delta: {}, finish_reason: 'tool_calls' }),
    { ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } },
  ];
  const builder = new OpenAiCompletionBuilder('chat');
  assert.equal(builder.body(), null, 'nothing streamed, no body');
  for (const c of chunks) builder.push(c);
  assert.deepEqual(builder.body(), {
    id: 'chatcmpl-9',
    created: 7,
    model: 'm',
    system_fingerprint: 'fp',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'See A.',
          annotations: [annotation],
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"q":1}' } },
            { id: 'call_2', type: 'custom', custom: { name: 'sh', input: 'ls' } },
          ],
        },
        logprobs: { content: [token('See '), token('A.')] },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
  });
});

test('a legacy function_call and an audio answer are put back together from their pieces', () => {
  const builder = new OpenAiCompletionBuilder('chat');
  const delta = (d: object) => ({ choices: [{ index: 0, delta: d }] });
  builder.push(delta({ function_call: { name: 'bash', arguments: '{"c":' } }));
  builder.push(delta({ function_call: { arguments: '"ls"}' } }));
  builder.push(delta({ audio: { id: 'a1', transcript: 'Hel', data: 'AAA' } }));
  builder.push(delta({ audio: { transcript: 'lo', data: 'BBB', expires_at: 9 } }));
  const message = (builder.body() as { choices: { message: object }[] }).choices[0]!.message;
  assert.deepEqual(message, {
    role: 'assistant',
    content: null,
    function_call: { name: 'bash', arguments: '{"c":"ls"}' },
    audio: { id: 'a1', transcript: 'Hello', data: 'AAABBB', expires_at: 9 },
  });
});

test('a text completion stream is rebuilt choice by choice, with its logprobs; content given as parts reads as text', () => {
  const builder = new OpenAiCompletionBuilder('text');
  const head = { id: 'cmpl-1', object: 'text_completion', created: 3, model: 'm' };
  const piece = (index: number, text: string, token: string, finish: string | null = null) => ({
    ...head,
    choices: [
      {
        index,
        text,
        finish_reason: finish,
        logprobs: {
          tokens: [token],
          token_logprobs: [-0.5],
          top_logprobs: [{ [token]: -0.5 }],
          text_offset: [0],
        },
      },
    ],
  });
  for (const chunk of [piece(1, 'B', 'B'), piece(0, 'Once', 'Once'), piece(0, ' upon', ' upon', 'length')])
    builder.push(chunk);
  builder.push({ ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } });
  assert.deepEqual(builder.body(), {
    ...head,
    choices: [
      {
        text: 'Once upon',
        index: 0,
        logprobs: {
          tokens: ['Once', ' upon'],
          token_logprobs: [-0.5, -0.5],
          top_logprobs: [{ Once: -0.5 }, { ' upon': -0.5 }],
          text_offset: [0, 0],
        },
        finish_reason: 'length',
      },
      {
        text: 'B',
        index: 1,
        logprobs: { tokens: ['B'], token_logprobs: [-0.5], top_logprobs: [{ B: -0.5 }], text_offset: [0] },
        finish_reason: null,
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
  });
  const chat = new OpenAiCompletionBuilder('chat');
  chat.push({ choices: [{ index: 0, delta: { content: [{ type: 'text', text: 'in ' }] } }] });
  chat.push({ choices: [{ index: 0, delta: { content: 'parts' } }] });
  assert.equal(
    (chat.body() as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
    'in parts',
  );
});

test('a __proto__ key in a streamed piece stays in the rebuilt body, as the client reads it', () => {
  // JSON.parse keeps such a key as data, and so does the client; a copy made key by key dropped it.
  const builder = new OpenAiCompletionBuilder('chat');
  const chunk = (d: string) =>
    JSON.parse(`{"choices":[{"index":0,"delta":${d},"logprobs":{"__proto__":[1]}}]}`);
  builder.push(chunk('{"audio":{"transcript":"hi","__proto__":"proto-in-audio"}}'));
  builder.push(
    chunk('{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","__proto__":"proto-in-call"}}]}'),
  );
  const text = JSON.stringify(builder.body());
  assert.match(text, /"__proto__":"proto-in-audio"/);
  assert.match(text, /"__proto__":"proto-in-call"/);
  assert.match(text, /"__proto__":\[1,1\]/);
});

test('a chunk its readers would read apart is named before it is taken; one they read alike is not', () => {
  const builder = (...chunks: object[]) => {
    const b = new OpenAiCompletionBuilder('chat');
    for (const c of chunks) b.push(c as Record<string, unknown>);
    return b;
  };
  const choices = (...list: object[]) => ({ choices: list });
  const call = (index: unknown, more: object = {}) => ({
    index: 0,
    delta: { tool_calls: [{ index, ...more }] },
  });
  const named = builder(
    choices({ index: 0, delta: { role: 'assistant', content: 'a' } }),
    choices(call(0, { id: 'call_1', function: { name: 'look', arguments: '' } })),
    choices({ index: 0, delta: { function_call: { name: 'legacy', arguments: '' } } }),
  );
  const finished = builder(choices({ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }));
  const unreadable: [OpenAiCompletionBuilder, object][] = [
    [named, choices({ delta: { content: 'x' } })],
    [named, choices({ index: '1', delta: { content: 'x' } })],
    [named, choices({ index: -1, delta: { content: 'x' } })],
    [named, choices({ index: 0.5, delta: { content: 'x' } })],
    [named, choices({ index: 0, delta: { content: 'x' } }, { index: 0, delta: { content: 'y' } })],
    [named, choices(call(undefined, { function: { arguments: '{}' } }))],
    [named, choices({ index: 0, delta: { tool_calls: [{ index: 1 }, { index: 1 }] } })],
    [named, choices(call(0, { id: 'call_2' }))],
    [named, choices(call(0, { id: 'call_1' }))],
    [named, choices(call(0, { function: { name: 'delete_all' } }))],
    [named, choices({ index: 0, delta: { function_call: { name: 'other' } } })],
    [finished, choices({ index: 0, delta: { content: ' more' } })],
    [finished, choices({ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] } })],
    [finished, choices({ index: 0, delta: {}, logprobs: { content: [] } })],
  ];
  for (const [b, chunk] of unreadable) {
    assert.notEqual(b.unreadable(chunk as Record<string, unknown>), null, JSON.stringify(chunk));
  }
  const readable: [OpenAiCompletionBuilder, object][] = [
    [named, choices({ index: 1, delta: { content: 'x' } }, { index: 0, delta: { content: 'y' } })],
    [named, choices({ index: 2, delta: { content: 'x' } })],
    [named, choices(call(0, { function: { arguments: '{}' } }), { index: 1, delta: {} })],
    [named, choices(call(0, { id: '', function: { name: '', arguments: '}' } }))],
    [named, choices(call(3, { id: 'call_3', function: { name: 'look', arguments: '' } }))],
    [named, choices({ index: 0, delta: { content: 'end' }, finish_reason: 'stop' })],
    [finished, choices({ index: 0, delta: {}, finish_reason: 'stop' })],
    [finished, choices({ index: 0, delta: { role: 'assistant', content: '', tool_calls: [] } })],
    [finished, { choices: [], usage: { total_tokens: 3 } }],
  ];
  for (const [b, chunk] of readable) {
    assert.equal(b.unreadable(chunk as Record<string, unknown>), null, JSON.stringify(chunk));
  }
});
