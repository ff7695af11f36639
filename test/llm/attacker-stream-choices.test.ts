// Streams whose choices, tool calls and texts its readers put together each their own way. The
// openai SDK's stream helper (`chat.completions.stream(...).finalChatCompletion()`) files a choice
// or tool call under its `index` as an array slot and replaces a tool call's name when it comes
// again; a plain `for await` reader takes `choices[0]` of each chunk; a Responses stream's plain
// reader prints its deltas where `finalResponse()` returns the last response. Where the readings
// part (a choice named twice in one chunk, an index that is no slot, a tool call named twice, words
// after a choice's finish_reason, deltas the final response contradicts), the stream is cut with
// `upstream_failed`; where they agree (choices out of order, interleaved, an index skipped), the
// client reads exactly what was recorded. The upstream is a node:http stand-in writing exact bytes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

/** Personal data the masker masks whole, and neither of its two halves. */
const EMAIL = 'alice.smith@corp-mail.com';
const CUT_AT = 'alice.smith@corp-m'.length;

const sse = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
const chunk = (choices: object[]) =>
  sse({ id: 'chatcmpl-choices', object: 'chat.completion.chunk', created: 0, model: 'demo', choices });
const delta = (index: unknown, d: object, finish: string | null = null) => ({
  index,
  delta: d,
  finish_reason: finish,
});
const DONE = 'data: [DONE]\n\n';

/** Each scripted chat stream, by the user message that asks for it. */
const CHAT: Record<string, string> = {
  // Agreed by every reader: choice 1 first, the two interleaved, a finish_reason given twice, and
  // words in the chunk that closes a choice.
  'out-of-order':
    chunk([delta(1, { role: 'assistant', content: 'one' })]) +
    chunk([delta(0, { role: 'assistant', content: 'zero' })]) +
    chunk([delta(1, { content: ' more' }), delta(0, { content: ' more' })]) +
    chunk([delta(0, { content: ' end' }, 'stop')]) +
    chunk([delta(1, {}, 'stop')]) +
    chunk([delta(1, {}, 'stop')]) +
    DONE,
  // The same choice twice in one chunk: a plain reader reads the first, the SDK's helper both.
  'twice-in-a-chunk':
    chunk([delta(0, { role: 'assistant', content: 'shown' })]) +
    chunk([delta(0, { content: ' first' }), delta(0, { content: ' second' })]) +
    chunk([delta(0, {}, 'stop')]) +
    DONE,
  // An index the SDK's helper files as slot 1, where a number-only reading took choice 0.
  'string-index':
    chunk([delta(0, { role: 'assistant', content: 'zero' })]) +
    chunk([delta('1', { role: 'assistant', content: 'one' })]) +
    chunk([delta(0, {}, 'stop'), delta(1, {}, 'stop')]) +
    DONE,
  // A tool call named twice: the TypeScript helper keeps the second name, the record joined them.
  'tool-named-twice':
    chunk([
      delta(0, {
        role: 'assistant',
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '' } },
        ],
      }),
    ]) +
    chunk([delta(0, { tool_calls: [{ index: 0, function: { name: 'delete_all', arguments: '{}' } }] })]) +
    chunk([delta(0, {}, 'tool_calls')]) +
    DONE,
  // Arguments split across chunks, the id and name late: read alike.
  'tool-pieces':
    chunk([delta(0, { role: 'assistant', tool_calls: [{ index: 0, function: { arguments: '{"pa' } }] })]) +
    chunk([
      delta(0, {
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'read_file', arguments: 'th":' } },
        ],
      }),
    ]) +
    chunk([delta(0, { tool_calls: [{ index: 0, function: { arguments: '"/tmp"}' } }] })]) +
    chunk([
      delta(0, {
        tool_calls: [{ index: 1, id: 'call_c', type: 'function', function: { name: 'ls', arguments: '{}' } }],
      }),
    ]) +
    chunk([delta(0, {}, 'tool_calls')]) +
    DONE,
  // Words after the choice's finish_reason: the masker toward the client had closed that text, so
  // an address cut across the end reached the client whole, unmasked.
  'after-finish':
    chunk([delta(0, { role: 'assistant', content: `Write to ${EMAIL.slice(0, CUT_AT)}` }, 'stop')]) +
    chunk([delta(0, { content: `${EMAIL.slice(CUT_AT)} today` })]) +
    DONE,
};

const item = (text: string) => ({
  id: 'msg_1',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const response = (status: string, output: object[]) => ({
  id: 'resp_1',
  object: 'response',
  created_at: 0,
  status,
  model: 'demo',
  output,
});
const event = (type: string, data: object) => `event: ${type}\n${sse({ type, ...data })}`;
const textDelta = (output_index: number, content_index: number, text: string) =>
  event('response.output_text.delta', { item_id: 'msg_1', output_index, content_index, delta: text });
const opened =
  event('response.created', { response: response('in_progress', []) }) +
  event('response.output_item.added', { output_index: 0, item: { ...item(''), status: 'in_progress' } }) +
  event('response.content_part.added', {
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    part: { type: 'output_text', text: '', annotations: [] },
  });

/** Each scripted Responses stream, by the input that asks for it. */
const RESPONSES: Record<string, string> = {
  // The deltas say one thing, the done event and the final response another.
  contradicted:
    opened +
    textDelta(0, 0, 'run rm -rf /') +
    event('response.output_text.done', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: 'hello',
    }) +
    event('response.completed', { response: response('completed', [item('hello')]) }),
  // Deltas for an output item never announced, and absent from the final response.
  unannounced:
    opened +
    textDelta(0, 0, 'hello') +
    textDelta(3, 0, ' and the hidden words') +
    event('response.completed', { response: response('completed', [item('hello')]) }),
  // Agreed by every reading; what follows the final response is read by no one.
  agreed:
    opened +
    textDelta(0, 0, 'hel') +
    textDelta(0, 0, 'lo') +
    event('response.output_text.done', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: 'hello',
    }) +
    event('response.completed', { response: response('completed', [item('hello')]) }) +
    textDelta(0, 0, ' after the end'),
};

let f: ScriptedChat;
let masked: ScriptedChat;

function answer(
  request: { url: string; body: string; ask: string },
  res: import('node:http').ServerResponse,
) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (request.url.endsWith('/responses')) {
    const input = (JSON.parse(request.body) as { input: string }).input;
    res.end(RESPONSES[input] ?? '');
    return;
  }
  res.end(CHAT[request.ask] ?? '');
}

before(async () => {
  f = await startScriptedChat(answer);
  masked = await startScriptedChat(answer, { mask_responses: true });
});

after(async () => {
  await f?.close();
  await masked?.close();
});

interface Recorded {
  readonly status: number;
  readonly partial: boolean;
  readonly error: { code: string; message: string } | null;
  readonly choices: {
    index: number;
    text: string;
    toolCalls: { id: string; name: string; arguments: string }[];
  }[];
}

async function lastRecord(chat: ScriptedChat): Promise<Recorded> {
  const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
  return response.payload as unknown as Recorded;
}

/** Reads a chat stream with a plain `for await`: each chunk's `choices[0]`, as the SDK's examples do. */
async function plainRead(chat: ScriptedChat, ask: string): Promise<{ text: string; thrown: unknown }> {
  const stream = await chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: ask }],
    stream: true,
  });
  let text = '';
  try {
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
  } catch (err) {
    return { text, thrown: err };
  }
  return { text, thrown: null };
}

/** Reads a chat stream with the SDK's helper and returns its final completion (or what it threw). */
async function helperRead(ask: string) {
  const stream = f.client.chat.completions.stream({
    model: 'demo',
    messages: [{ role: 'user', content: ask }],
    n: 2,
  });
  try {
    return { final: await stream.finalChatCompletion(), thrown: null };
  } catch (err) {
    return { final: null, thrown: err };
  }
}

function assertCut(record: Recorded, what: string): void {
  assert.equal(record.partial, true, what);
  assert.equal(record.error?.code, 'upstream_failed', what);
}

test('choices out of order, interleaved and finished twice: the SDK reads what was recorded', async () => {
  const { final, thrown } = await helperRead('out-of-order');
  assert.equal(thrown, null);
  const record = await lastRecord(f);
  assert.equal(record.partial, false);
  const read = final!.choices.map((c) => [c.index, c.message.content]);
  assert.deepEqual(read, [
    [0, 'zero more end'],
    [1, 'one more'],
  ]);
  assert.deepEqual(
    record.choices.map((c) => [c.index, c.text]),
    read,
  );
});

test('one choice twice in a chunk: cut, since a plain reader and the SDK read it apart', async () => {
  const { text, thrown } = await plainRead(f, 'twice-in-a-chunk');
  assert.ok(thrown, 'the client is told the stream failed');
  const record = await lastRecord(f);
  assertCut(record, 'twice-in-a-chunk');
  assert.equal(text, 'shown');
  assert.equal(record.choices[0]?.text, text, 'the client read what the record holds');
});

test('a choice index that is no number: cut, the SDK files "1" as choice 1', async () => {
  const { final, thrown } = await helperRead('string-index');
  assert.ok(thrown, `the stream was passed whole: ${JSON.stringify(final?.choices)}`);
  const record = await lastRecord(f);
  assertCut(record, 'string-index');
  assert.deepEqual(
    record.choices.map((c) => [c.index, c.text]),
    [[0, 'zero']],
  );
});

test('a tool call named twice: cut, the SDK keeps the second name where the record joined them', async () => {
  const { final, thrown } = await helperRead('tool-named-twice');
  assert.ok(thrown, `the stream was passed whole: ${JSON.stringify(final?.choices[0]?.message.tool_calls)}`);
  const record = await lastRecord(f);
  assertCut(record, 'tool-named-twice');
  assert.deepEqual(
    record.choices[0]?.toolCalls.map((c) => c.name),
    ['read_file'],
  );
});

test('tool call pieces: arguments split, id and name late, read as recorded', async () => {
  const { final, thrown } = await helperRead('tool-pieces');
  assert.equal(thrown, null);
  const record = await lastRecord(f);
  assert.equal(record.partial, false);
  const read = (final!.choices[0]!.message.tool_calls ?? []).map((c) =>
    c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [],
  );
  assert.deepEqual(read, [
    ['call_a', 'read_file', '{"path":"/tmp"}'],
    ['call_c', 'ls', '{}'],
  ]);
  assert.deepEqual(
    record.choices[0]?.toolCalls.map((c) => [c.id, c.name, c.arguments]),
    read,
  );
});

test('words after a choice finished: cut, so an address split across the end never reaches a masked client', async () => {
  const { text, thrown } = await plainRead(masked, 'after-finish');
  assert.ok(!text.includes(EMAIL), `the client read the address: ${text}`);
  assert.ok(thrown, 'the client is told the stream failed');
  const record = await lastRecord(masked);
  assertCut(record, 'after-finish');
  assert.ok(!JSON.stringify(record).includes(EMAIL));
});

async function responsesRead(input: string): Promise<{ text: string; thrown: unknown }> {
  const stream = await f.client.responses.create({ model: 'demo', input, stream: true });
  let text = '';
  try {
    for await (const e of stream) if (e.type === 'response.output_text.delta') text += e.delta;
  } catch (err) {
    return { text, thrown: err };
  }
  return { text, thrown: null };
}

test('Responses deltas that the final response contradicts: cut, the record holds what was read', async () => {
  for (const input of ['contradicted', 'unannounced']) {
    const { text, thrown } = await responsesRead(input);
    assert.ok(thrown, `${input}: the client is told the stream failed`);
    const record = await lastRecord(f);
    assertCut(record, input);
    assert.equal(record.choices[0]?.text, text, `${input}: the record holds the words the client read`);
  }
});

test('Responses deltas the final response agrees with: passed whole, nothing after the end read', async () => {
  const { text, thrown } = await responsesRead('agreed');
  assert.equal(thrown, null);
  assert.equal(text, 'hello');
  const record = await lastRecord(f);
  assert.equal(record.partial, false);
  assert.equal(record.choices[0]?.text, 'hello');
});
