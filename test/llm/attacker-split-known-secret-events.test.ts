// The credential Vigil injects, echoed by the upstream and cut across streamed deltas, on connections
// without `mask_responses`: an Anthropic stream (text, thinking and a tool call's input JSON) read
// by the official @anthropic-ai/sdk, and a Responses stream (output text, function-call arguments)
// read by the official openai SDK. Each event was masked on its own until 7 December, so the client
// joined the key whole. The cuts fall at every offset, inside JSON escapes too; the client reads no
// spelling of the key, and reads what the ledger recorded.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { type ReceivedRequest, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';
import { anthropicClient, anthropicMessage } from './anthropic-sse.js';
import { everyCut, leaks, perCharacter, sameWords, spelledWithEscapes } from './split-secret-streams.js';

const CREDENTIAL = 'Vg-Echo"Split\\Key-0123456789abcdef';
const event = (type: string, data: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const toolArguments = (key: string) =>
  `{"auth":${JSON.stringify(key)},"spelled":"${spelledWithEscapes(key)}"}`;

function anthropicStream(key: string): string {
  const start = (index: number, block: object) =>
    event('content_block_start', { index, content_block: block });
  const piece = (index: number, type: string, field: string, text: string) =>
    event('content_block_delta', { index, delta: { type, [field]: text } });
  const stop = (index: number) => event('content_block_stop', { index });
  return (
    event('message_start', {
      message: anthropicMessage('msg_split'),
    }) +
    start(0, { type: 'thinking', thinking: '', signature: '' }) +
    perCharacter(`think ${key} and ${key.slice(0, 7)}`)
      .map((c) => piece(0, 'thinking_delta', 'thinking', c))
      .join('') +
    stop(0) +
    start(1, { type: 'text', text: '' }) +
    everyCut(key)
      .map((t) => piece(1, 'text_delta', 'text', t))
      .join('') +
    piece(1, 'text_delta', 'text', key.slice(0, 12)) +
    stop(1) +
    start(2, { type: 'tool_use', id: 'toolu_1', name: 'login', input: {} }) +
    perCharacter(toolArguments(key))
      .map((c) => piece(2, 'input_json_delta', 'partial_json', c))
      .join('') +
    stop(2) +
    event('message_delta', {
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 9 },
    }) +
    event('message_stop', {})
  );
}

function responsesStream(key: string): string {
  const pieces = everyCut(key);
  const text = pieces.join('');
  const args = toolArguments(key);
  const message = (t: string, status: string) => ({
    id: 'msg_1',
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text: t, annotations: [] }],
  });
  const call = (a: string, status: string) => ({
    id: 'fc_1',
    type: 'function_call',
    status,
    call_id: 'call_1',
    name: 'login',
    arguments: a,
  });
  const response = (status: string, output: object[]) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 0,
    status,
    model: 'demo',
    output,
  });
  const place = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  return (
    event('response.created', { response: response('in_progress', []) }) +
    event('response.output_item.added', { output_index: 0, item: message('', 'in_progress') }) +
    event('response.content_part.added', {
      ...place,
      part: { type: 'output_text', text: '', annotations: [] },
    }) +
    pieces.map((p) => event('response.output_text.delta', { ...place, delta: p })).join('') +
    event('response.output_text.done', { ...place, text }) +
    event('response.content_part.done', { ...place, part: { type: 'output_text', text, annotations: [] } }) +
    event('response.output_item.done', { output_index: 0, item: message(text, 'completed') }) +
    event('response.output_item.added', { output_index: 1, item: call('', 'in_progress') }) +
    perCharacter(args)
      .map((c) =>
        event('response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 1, delta: c }),
      )
      .join('') +
    event('response.function_call_arguments.done', { item_id: 'fc_1', output_index: 1, arguments: args }) +
    event('response.output_item.done', { output_index: 1, item: call(args, 'completed') }) +
    event('response.completed', {
      response: response('completed', [message(text, 'completed'), call(args, 'completed')]),
    })
  );
}

let anthropic: ScriptedChat;
let responses: ScriptedChat;

function answer(request: ReceivedRequest, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
  const key = String(request.headers['x-api-key'] ?? bearer);
  res.end(request.url.endsWith('/responses') ? responsesStream(key) : anthropicStream(key));
}

before(async () => {
  process.env.VIGIL_LLM_SPLIT_EVENTS_CREDENTIAL = CREDENTIAL;
  const credential = 'env:VIGIL_LLM_SPLIT_EVENTS_CREDENTIAL';
  anthropic = await startScriptedChat(answer, { type: 'llm-anthropic', credential });
  responses = await startScriptedChat(answer, { credential });
});

after(async () => {
  await anthropic?.close();
  await responses?.close();
});

interface Recorded {
  choices: { text: string; reasoning: string; toolCalls: { arguments: string }[] }[];
}

async function lastRecord(chat: ScriptedChat): Promise<Recorded> {
  const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
  return response.payload as unknown as Recorded;
}

test('Anthropic thinking, text and tool input cut at every offset: the SDK reads the key masked, as recorded', async () => {
  const client = anthropicClient(anthropic.gateway.url);
  const stream = client.messages.stream({
    model: 'demo',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  });
  let partialJson = '';
  stream.on('inputJson', (piece) => {
    partialJson += piece;
  });
  const message = await stream.finalMessage();
  const record = await lastRecord(anthropic);
  const [thinking, text, tool] = message.content;
  assert.ok(thinking?.type === 'thinking' && text?.type === 'text' && tool?.type === 'tool_use');
  assert.equal(leaks(thinking.thinking, CREDENTIAL), null, thinking.thinking);
  assert.ok(
    thinking.thinking.endsWith(` and ${CREDENTIAL.slice(0, 7)}`),
    'held thinking is sent at the block stop',
  );
  sameWords(thinking.thinking, record.choices[0]!.reasoning, 'thinking');
  assert.equal(leaks(text.text, CREDENTIAL), null, text.text);
  assert.equal(text.text.match(/\[MASKED:/g)?.length, CREDENTIAL.length + 1);
  assert.ok(text.text.endsWith(CREDENTIAL.slice(0, 12)), 'held text is sent at the block stop');
  sameWords(text.text, record.choices[0]!.text, 'text');
  assert.equal(leaks(partialJson, CREDENTIAL), null, partialJson);
  assert.equal(leaks(JSON.stringify(tool.input), CREDENTIAL), null, JSON.stringify(tool.input));
  assert.equal(partialJson.match(/\[MASKED:/g)?.length, 2, partialJson);
  sameWords(partialJson, record.choices[0]!.toolCalls[0]!.arguments, 'tool input');
});

test('Responses output text and function arguments cut at every offset: masked in every event, as recorded', async () => {
  const stream = await responses.client.responses.create({ model: 'demo', input: 'hi', stream: true });
  let text = '';
  let args = '';
  const whole: string[] = [];
  for await (const e of stream) {
    if (e.type === 'response.output_text.delta') text += e.delta;
    else if (e.type === 'response.function_call_arguments.delta') args += e.delta;
    else whole.push(JSON.stringify(e));
  }
  const record = await lastRecord(responses);
  assert.equal(leaks(text, CREDENTIAL), null, text);
  assert.equal(text.match(/\[MASKED:/g)?.length, CREDENTIAL.length + 1);
  sameWords(text, record.choices[0]!.text, 'output text');
  assert.equal(leaks(args, CREDENTIAL), null, args);
  assert.equal(args.match(/\[MASKED:/g)?.length, 2, args);
  sameWords(args, record.choices[0]!.toolCalls[0]!.arguments, 'arguments');
  for (const e of whole) assert.equal(leaks(e, CREDENTIAL), null, e.slice(0, 300));
});
