import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { choicesFromBody } from './choices.js';
import { namedAsRead } from './event-names.js';
import { SseEventReader } from './sse-events.js';
import { StreamAssembler } from './stream-assembler.js';

/** An OpenAI chat stream of `texts.length` choices, each text cut into deltas of `step` characters. */
function openAiStream(texts: string[], step: number): string {
  const events: string[] = [];
  const longest = Math.max(...texts.map((t) => t.length));
  for (let at = 0; at < longest; at += step) {
    texts.forEach((t, index) => {
      if (at < t.length)
        events.push(JSON.stringify({ choices: [{ index, delta: { content: t.slice(at, at + step) } }] }));
    });
  }
  for (const index of texts.keys()) {
    events.push(JSON.stringify({ choices: [{ index, delta: {}, finish_reason: 'stop' }] }));
  }
  events.push(JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 5 } }));
  return `${events.map((e) => `data: ${e}\n\n`).join('')}data: [DONE]\n\n`;
}

function anthropicStream(text: string, tool: { name: string; args: string }): string {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    ev('message_start', { message: { id: 'm', usage: { input_tokens: 4, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...[...text].map((ch) =>
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ch } }),
    ),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', {
      index: 1,
      content_block: { type: 'tool_use', id: 'tu_1', name: tool.name, input: {} },
    }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: tool.args } }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
    ev('message_stop', {}),
  ].join('');
}

function feed(assembler: StreamAssembler, bytes: Buffer, cuts: number[]): number[] {
  const terminalAt: number[] = [];
  let from = 0;
  for (const [i, cut] of [...cuts, bytes.length].entries()) {
    if (assembler.push(bytes.subarray(from, cut))) terminalAt.push(i);
    from = cut;
  }
  return terminalAt;
}

const text = fc.string({ unit: 'binary', maxLength: 30 });

test('OpenAI streams assemble to the same choices however the bytes are split', () => {
  fc.assert(
    fc.property(
      fc.array(text, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 4 }),
      (texts, step) => {
        const bytes = Buffer.from(openAiStream(texts, step));
        for (let cut = 0; cut <= bytes.length; cut++) {
          const assembler = new StreamAssembler('openai.chat');
          const terminals = feed(assembler, bytes, [cut]);
          assert.deepEqual(
            assembler.choices().map((c) => [c.index, c.text, c.finishReason]),
            texts.map((t, i) => [i, t, 'stop']),
          );
          assert.deepEqual(assembler.usage, { prompt_tokens: 3, completion_tokens: 5 });
          // The terminal event completes in exactly one chunk: the one holding the end of "[DONE]\n\n".
          assert.equal(terminals.length, 1);
          assert.equal(terminals[0], cut === bytes.length ? 0 : 1);
        }
      },
    ),
    { numRuns: 25 },
  );
});

test('Anthropic streams assemble text, tool calls and usage at every split', () => {
  fc.assert(
    fc.property(text, fc.json({ maxDepth: 1 }), (t, args) => {
      const bytes = Buffer.from(anthropicStream(t, { name: 'run_sql', args }));
      for (let cut = 0; cut <= bytes.length; cut += 1) {
        const assembler = new StreamAssembler('anthropic.messages');
        feed(assembler, bytes, [cut]);
        const [choice] = assembler.choices();
        assert.equal(choice?.text, t);
        assert.equal(choice?.finishReason, 'tool_use');
        assert.deepEqual(choice?.toolCalls, [{ id: 'tu_1', name: 'run_sql', arguments: args }]);
        assert.deepEqual(assembler.usage, { input_tokens: 4, output_tokens: 9 });
        assert.equal(assembler.terminal, true);
      }
    }),
    { numRuns: 15 },
  );
});

test('random multi-way splits give the same result', () => {
  const bytes = Buffer.from(openAiStream(['héllo wörld ✓', 'second choice'], 2));
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (cuts) => {
      const assembler = new StreamAssembler('openai.chat');
      feed(
        assembler,
        bytes,
        cuts.sort((a, b) => a - b),
      );
      assert.deepEqual(
        assembler.choices().map((c) => c.text),
        ['héllo wörld ✓', 'second choice'],
      );
    }),
  );
});

test('a stream without its final event is not terminal, and an error event is kept', () => {
  const assembler = new StreamAssembler('openai.chat');
  assembler.push(Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n'));
  assembler.push(Buffer.from('data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'));
  assert.equal(assembler.terminal, false);
  assert.equal(assembler.choices()[0]?.text, 'par');
  assert.deepEqual(assembler.error, { code: 'server_error', message: 'overloaded' });
});

test("the model's shown reasoning is assembled apart from its answer, and so is the provider's id", () => {
  fc.assert(
    fc.property(text, text, (thought, answer) => {
      const ev = (type: string, data: object) =>
        `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
      const anthropic = Buffer.from(
        [
          ev('message_start', { message: { id: 'msg_01abc', usage: { input_tokens: 1 } } }),
          ev('content_block_start', {
            index: 0,
            content_block: { type: 'thinking', thinking: '', signature: '' },
          }),
          ...[...thought].map((ch) =>
            ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: ch } }),
          ),
          ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'c2ln' } }),
          ev('content_block_stop', { index: 0 }),
          ev('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
          ev('content_block_delta', { index: 1, delta: { type: 'text_delta', text: answer } }),
          ev('content_block_stop', { index: 1 }),
          ev('message_stop', {}),
        ].join(''),
      );
      // OpenAI-compatible servers (vLLM, DeepSeek) stream reasoning_content before the content.
      const chat = Buffer.from(
        [
          ...[...thought].map((ch) => ({
            id: 'chatcmpl-1',
            choices: [{ index: 0, delta: { reasoning_content: ch } }],
          })),
          { id: 'chatcmpl-1', choices: [{ index: 0, delta: { content: answer } }] },
          { id: 'chatcmpl-1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
        ]
          .map((e) => `data: ${JSON.stringify(e)}\n\n`)
          .join('') + 'data: [DONE]\n\n',
      );
      for (const [api, bytes, id] of [
        ['anthropic.messages', anthropic, 'msg_01abc'],
        ['openai.chat', chat, 'chatcmpl-1'],
      ] as const) {
        for (let cut = 0; cut <= bytes.length; cut += 7) {
          const assembler = new StreamAssembler(api);
          feed(assembler, bytes, [cut]);
          const [choice] = assembler.choices();
          assert.equal(choice?.reasoning, thought, api);
          assert.equal(choice?.text, answer, api);
          assert.equal(assembler.providerId, id);
        }
      }
    }),
    { numRuns: 15 },
  );
});

test("whole bodies: the shown reasoning of each provider's shape is kept apart from the answer", () => {
  const cases = [
    [
      'openai.chat',
      {
        choices: [
          { index: 0, message: { content: 'four', reasoning_content: 'two and two' }, finish_reason: 'stop' },
        ],
      },
    ],
    ['openai.chat', { choices: [{ index: 0, message: { content: 'four', reasoning: 'two and two' } }] }],
    [
      'openai.responses',
      {
        status: 'completed',
        output: [
          {
            type: 'reasoning',
            id: 'rs_1',
            summary: [{ type: 'summary_text', text: 'two and two' }],
            encrypted_content: 'e',
          },
          { type: 'message', content: [{ type: 'output_text', text: 'four' }] },
        ],
      },
    ],
    [
      'anthropic.messages',
      {
        stop_reason: 'end_turn',
        content: [
          { type: 'thinking', thinking: 'two and two', signature: 'c2ln' },
          { type: 'redacted_thinking', data: 'ZGF0YQ==' },
          { type: 'text', text: 'four' },
        ],
      },
    ],
  ] as const;
  for (const [api, body] of cases) {
    const [choice] = choicesFromBody(api, body);
    assert.equal(choice?.reasoning, 'two and two', api);
    assert.equal(choice?.text, 'four', api);
  }
  assert.equal(choicesFromBody('openai.completions', { choices: [{ text: 'four' }] })[0]?.reasoning, '');
});

/** Feeds `bytes` cut once at every offset and checks each assembly. */
function atEverySplit(
  api: 'openai.chat' | 'anthropic.messages',
  sse: string,
  check: (a: StreamAssembler) => void,
) {
  const bytes = Buffer.from(sse);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const assembler = new StreamAssembler(api);
    feed(assembler, bytes, [cut]);
    check(assembler);
  }
}

const sseData = (events: object[]) =>
  `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;

test('chat streams keep the calls of free-form tools, the legacy function_call and a refusal, at every split', () => {
  const delta = (d: object) => ({ choices: [{ index: 0, delta: d }] });
  const custom = sseData([
    delta({
      tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: 'shell', input: 'rm -r' } }],
    }),
    delta({ tool_calls: [{ index: 0, custom: { input: 'f /srv' } }] }),
    { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  ]);
  atEverySplit('openai.chat', custom, (a) =>
    assert.deepEqual(a.choices()[0]?.toolCalls, [{ id: 'call_1', name: 'shell', arguments: 'rm -rf /srv' }]),
  );
  const legacy = sseData([
    delta({ function_call: { name: 'bash', arguments: '' } }),
    delta({ function_call: { arguments: '{"cmd":' } }),
    delta({ function_call: { arguments: '"ls"}' } }),
  ]);
  atEverySplit('openai.chat', legacy, (a) =>
    assert.deepEqual(a.choices()[0]?.toolCalls, [{ id: '', name: 'bash', arguments: '{"cmd":"ls"}' }]),
  );
  const refusal = sseData([delta({ refusal: "I can't " }), delta({ refusal: 'help with that.' })]);
  atEverySplit('openai.chat', refusal, (a) => assert.equal(a.choices()[0]?.text, "I can't help with that."));
});

test('Anthropic streams keep the calls of server and MCP tools, at every split', () => {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const sse = [
    ev('message_start', { message: { id: 'm' } }),
    ev('content_block_start', {
      index: 0,
      content_block: { type: 'server_tool_use', id: 'srv_1', name: 'web_search', input: {} },
    }),
    ev('content_block_delta', {
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '{"query":"q"}' },
    }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', {
      index: 1,
      content_block: {
        type: 'mcp_tool_use',
        id: 'mcp_1',
        name: 'drop_table',
        server_name: 'db',
        input: { t: 'x' },
      },
    }),
    ev('content_block_stop', { index: 1 }),
    ev('message_stop', {}),
  ].join('');
  atEverySplit('anthropic.messages', sse, (a) =>
    assert.deepEqual(a.choices()[0]?.toolCalls, [
      { id: 'srv_1', name: 'web_search', arguments: '{"query":"q"}' },
      { id: 'mcp_1', name: 'drop_table', arguments: '{"t":"x"}' },
    ]),
  );
});

test('whole bodies: every kind of tool call is kept, named by the tool or by its kind', () => {
  const [chat] = choicesFromBody('openai.chat', {
    choices: [
      {
        message: {
          content: null,
          refusal: 'no',
          tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'shell', input: 'ls' } }],
          function_call: { name: 'bash', arguments: '{}' },
        },
      },
    ],
  });
  assert.equal(chat?.text, 'no');
  assert.deepEqual(chat?.toolCalls, [
    { id: 'c1', name: 'shell', arguments: 'ls' },
    { id: '', name: 'bash', arguments: '{}' },
  ]);
  const [responses] = choicesFromBody('openai.responses', {
    status: 'completed',
    output: [
      { type: 'function_call', call_id: 'f1', name: 'lookup', arguments: '{"id":1}' },
      { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'local_shell_call', call_id: 's1', action: { type: 'exec', command: ['rm', '-rf', '/srv'] } },
      { type: 'mcp_call', id: 'm1', server_label: 'db', name: 'drop_table', arguments: '{"t":"x"}' },
      { type: 'code_interpreter_call', id: 'ci1', code: 'print(1)' },
      { type: 'image_generation_call', id: 'ig1', result: 'iVBORw0KGgo=' },
      { type: 'mcp_approval_request', id: 'a1', server_label: 'db', name: 'drop_table', arguments: '{}' },
      { type: 'message', content: [{ type: 'output_text', text: 'done' }] },
    ],
  });
  assert.equal(responses?.text, 'done');
  assert.deepEqual(responses?.toolCalls, [
    { id: 'f1', name: 'lookup', arguments: '{"id":1}' },
    { id: 'c1', name: 'apply_patch', arguments: '*** Begin Patch' },
    { id: 's1', name: 'local_shell', arguments: '{"type":"exec","command":["rm","-rf","/srv"]}' },
    { id: 'm1', name: 'drop_table', arguments: '{"t":"x"}' },
    { id: 'ci1', name: 'code_interpreter', arguments: 'print(1)' },
    { id: 'ig1', name: 'image_generation', arguments: '{}' },
    { id: 'a1', name: 'drop_table', arguments: '{}' },
  ]);
  const [anthropic] = choicesFromBody('anthropic.messages', {
    content: [
      { type: 'server_tool_use', id: 's', name: 'web_search', input: { query: 'q' } },
      { type: 'web_search_tool_result', tool_use_id: 's', content: [] },
      { type: 'mcp_tool_use', id: 'm', name: 'drop_table', server_name: 'db', input: {} },
    ],
  });
  assert.deepEqual(
    anthropic?.toolCalls.map((c) => c.name),
    ['web_search', 'drop_table'],
  );
});

test("a stream's body: a Responses stream's final response object, a chat stream's rebuilt completion; an audio answer's transcript is its text", () => {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const response = {
    id: 'resp_1',
    status: 'completed',
    output: [
      { type: 'mcp_call', id: 'mc_1', server_label: 'db', name: 'query', arguments: '{}', output: 'rows: 3' },
      { type: 'message', content: [{ type: 'output_text', text: 'three rows' }] },
    ],
  };
  const assembler = new StreamAssembler('openai.responses');
  assembler.push(
    Buffer.from(
      ev('response.output_text.delta', { output_index: 1, content_index: 0, delta: 'three rows' }) +
        ev('response.completed', { response }),
    ),
  );
  assert.deepEqual(assembler.body(), response);
  assert.equal(assembler.choices()[0]?.text, 'three rows');
  const chat = new StreamAssembler('openai.chat');
  chat.push(
    Buffer.from(
      sseData([{ choices: [{ index: 0, delta: { audio: { id: 'a', transcript: 'Hello there' } } }] }]),
    ),
  );
  assert.equal(chat.choices()[0]?.text, 'Hello there');
  // The whole completion is rebuilt beside the choices (openai-stream-body.test.ts has the details).
  const body = chat.body() as { choices: { message: { audio: { transcript: string } } }[] };
  assert.equal(body.choices[0]?.message.audio.transcript, 'Hello there');
  assert.equal(new StreamAssembler('openai.chat').body(), null, 'nothing streamed, no body');
});

test('an event with a key twice, or two keys that differ only in case, stops the stream there', () => {
  for (const delta of [
    '{"content":" a","Content":" b"}',
    '{"content":" a","content":" b"}',
    '{"role":"assistant","kind":" a","\u212aind":" b"}',
  ]) {
    const a = new StreamAssembler('openai.chat');
    a.push(Buffer.from(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'ok' } }] })}\n\n`));
    a.push(Buffer.from(`data: {"choices":[{"index":0,"delta":${delta}}]}\n\n`));
    assert.match(a.refusal ?? '', /differ only in case/, delta);
    assert.ok(a.ended, delta);
    assert.equal(a.choices()[0]?.text, 'ok', delta);
  }
  // The same keys in separate objects are no ambiguity.
  const plain = new StreamAssembler('openai.chat');
  plain.push(Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"x"}}],"Usage":null}\n\n'));
  assert.equal(plain.refusal, null);
});

test('a stream read with the parse its event names were read by is recorded as one read alone', () => {
  const text = anthropicStream('hi there', { name: 'add', args: '{"a":1}' });
  const alone = new StreamAssembler('anthropic.messages');
  alone.push(Buffer.from(text));
  const shared = new StreamAssembler('anthropic.messages');
  for (const item of new SseEventReader().push(Buffer.from(text))) {
    if (!('event' in item)) continue;
    const { event, json } = namedAsRead('anthropic.messages', item.event);
    assert.ok(json, 'an Anthropic event is parsed to be named');
    shared.read(event, json);
  }
  assert.ok(alone.terminal && shared.terminal);
  assert.deepEqual(shared.body(), alone.body());
  assert.deepEqual(shared.choices(), alone.choices());
  assert.deepEqual(shared.usage, alone.usage);
});
