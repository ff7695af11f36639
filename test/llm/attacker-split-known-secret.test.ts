// An upstream that echoes the credential Vigil injects, cut across two streamed deltas, on a
// connection without `mask_responses`: each event was masked on its own, so neither piece matched
// and the official openai client joined the key whole (until 7 December). The stand-in upstream
// cuts the credential at every offset, in its raw spelling and, inside tool-call arguments (JSON
// text), JSON-escaped and spelled with `\u` escapes, so some cuts fall inside an escape. What the
// client reads holds no spelling of the key, and is what the ledger recorded, word for word.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { type ReceivedRequest, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';
import { everyCut, leaks, perCharacter, sameWords, spelledWithEscapes } from './split-secret-streams.js';

/** A `"` and a `\`: JSON escapes them, so a cut can fall between an escape's two characters. */
const CREDENTIAL = 'Vg-Echo"Split\\Key-0123456789abcdef';
const sse = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
const chunk = (choices: object[], object = 'chat.completion.chunk') =>
  sse({ id: 'c1', object, created: 0, model: 'demo', choices });
const delta = (index: number, d: object, finish: string | null = null) => ({
  index,
  delta: d,
  finish_reason: finish,
});
const DONE = 'data: [DONE]\n\n';

/** The arguments of a tool call that quotes the key twice: JSON-escaped, and every character `\u`-escaped. */
const toolArguments = (key: string) =>
  `{"auth":${JSON.stringify(key)},"spelled":"${spelledWithEscapes(key)}"}`;

/** Chat streams by the prompt that asks for them, built around the key the upstream was sent. */
const CHAT: Record<string, (key: string) => string> = {
  // Two choices: the first cut in two at every offset, the second one character a delta; the
  // first ends on a cut piece, with the finish in a chunk of its own.
  choices: (key) =>
    chunk([delta(0, { role: 'assistant', content: '' }), delta(1, { role: 'assistant', content: '' })]) +
    everyCut(key)
      .map((piece, i) =>
        chunk([delta(0, { content: piece }), ...(i < key.length ? [delta(1, { content: key[i]! })] : [])]),
      )
      .join('') +
    chunk([delta(0, { content: ` and ${key.slice(0, 9)}` })]) +
    chunk([delta(0, {}, 'stop'), delta(1, {}, 'stop')]) +
    DONE,
  // Reasoning and a refusal, one character a delta, the last piece closed by the finish.
  reasoning: (key) =>
    perCharacter(`think ${key}`)
      .map((c) => chunk([delta(0, { reasoning_content: c })]))
      .join('') +
    perCharacter(`no: ${key}`)
      .map((c) => chunk([delta(0, { refusal: c })]))
      .join('') +
    chunk([delta(0, {}, 'stop')]) +
    DONE,
  // Logprobs with the content, one character (one token) a chunk: the tokens spell the key again,
  // and so do their alternatives.
  logprobs: (key) => {
    const entry = (c: string) => ({ token: c, logprob: -0.5, bytes: [...Buffer.from(c)] });
    return (
      perCharacter(`say ${key}`)
        .map((c) =>
          chunk([
            {
              ...delta(0, { content: c }),
              logprobs: { content: [{ ...entry(c), top_logprobs: [entry(c)] }] },
            },
          ]),
        )
        .join('') +
      chunk([delta(0, {}, 'stop')]) +
      DONE
    );
  },
  // Two tool calls streamed one character a delta, interleaved; the stream ends with no finish.
  tools: (key) => {
    const args = toolArguments(key);
    const open = (index: number) => ({
      index,
      id: `call_${index}`,
      type: 'function',
      function: { name: 'login', arguments: '' },
    });
    return (
      chunk([delta(0, { role: 'assistant', tool_calls: [open(0), open(1)] })]) +
      perCharacter(args)
        .map((c) =>
          chunk([
            delta(0, {
              tool_calls: [
                { index: 0, function: { arguments: c } },
                { index: 1, function: { arguments: c } },
              ],
            }),
          ]),
        )
        .join('') +
      DONE
    );
  },
};

/** A text completion stream, cut at every offset, its last piece closed by the finish. */
const completions = (key: string) =>
  everyCut(key)
    .map((piece, i, all) =>
      chunk(
        [{ index: 0, text: piece, finish_reason: i === all.length - 1 ? 'length' : null }],
        'text_completion',
      ),
    )
    .join('') + DONE;

let f: ScriptedChat;

function answer(request: ReceivedRequest, res: ServerResponse) {
  const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (request.url.endsWith('/completions') && !request.url.endsWith('/chat/completions')) {
    res.end(completions(key));
    return;
  }
  res.end(CHAT[request.ask]?.(key) ?? DONE);
}

before(async () => {
  process.env.VIGIL_LLM_SPLIT_CREDENTIAL = CREDENTIAL;
  f = await startScriptedChat(answer, { credential: 'env:VIGIL_LLM_SPLIT_CREDENTIAL' });
});

after(async () => {
  await f?.close();
});

interface Recorded {
  choices: { index: number; text: string; reasoning: string; toolCalls: { arguments: string }[] }[];
}

async function lastRecord(): Promise<Recorded> {
  const response = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!;
  return response.payload as unknown as Recorded;
}

/** Every text of a chat stream as the SDK's chunks give it, by choice (and tool call). */
async function readChat(ask: string): Promise<Map<string, string>> {
  const stream = await f.client.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: ask }],
  });
  const texts = new Map<string, string>();
  const add = (key: string, text: string | null | undefined) => {
    if (typeof text === 'string') texts.set(key, (texts.get(key) ?? '') + text);
  };
  for await (const c of stream) {
    for (const choice of c.choices) {
      const d = choice.delta as typeof choice.delta & { reasoning_content?: string };
      add(`${choice.index}:content`, d.content);
      add(`${choice.index}:reasoning`, d.reasoning_content);
      add(`${choice.index}:refusal`, d.refusal);
      for (const call of d.tool_calls ?? [])
        add(`${choice.index}:tool:${call.index}`, call.function?.arguments);
    }
  }
  return texts;
}

test('content cut at every offset, in two choices: the client reads the key masked, as recorded', async () => {
  const texts = await readChat('choices');
  const record = await lastRecord();
  for (const index of [0, 1]) {
    const text = texts.get(`${index}:content`) ?? '';
    assert.equal(leaks(text, CREDENTIAL), null, `choice ${index}: ${text.slice(0, 200)}`);
    sameWords(text, record.choices[index]!.text, `choice ${index}`);
  }
  // Every cut was masked where it was sent (no piece dropped): one mask per cut, plus the second choice's.
  assert.equal((texts.get('0:content') ?? '').match(/\[MASKED:/g)?.length, CREDENTIAL.length + 1);
  assert.ok(
    (texts.get('0:content') ?? '').endsWith(` and ${CREDENTIAL.slice(0, 9)}`),
    'the held tail is sent at the finish',
  );
  assert.equal((texts.get('1:content') ?? '').match(/\[MASKED:/g)?.length, 1);
});

test('reasoning and a refusal one character a delta: masked, and held text is sent at the finish', async () => {
  const texts = await readChat('reasoning');
  const record = await lastRecord();
  const reasoning = texts.get('0:reasoning') ?? '';
  const refusal = texts.get('0:refusal') ?? '';
  assert.equal(leaks(reasoning, CREDENTIAL), null, reasoning);
  assert.equal(leaks(refusal, CREDENTIAL), null, refusal);
  sameWords(reasoning, record.choices[0]!.reasoning, 'reasoning');
  assert.match(refusal, /^no: \[MASKED:[^\]]+\]$/);
});

test('tool-call arguments one character a delta, cut inside escapes: masked, as recorded', async () => {
  const texts = await readChat('tools');
  const record = await lastRecord();
  for (const index of [0, 1]) {
    const args = texts.get(`0:tool:${index}`) ?? '';
    assert.equal(leaks(args, CREDENTIAL), null, `call ${index}: ${args}`);
    sameWords(args, record.choices[0]!.toolCalls[index]!.arguments, `call ${index}`);
    assert.equal(args.match(/\[MASKED:/g)?.length, 2, `call ${index}: both spellings masked: ${args}`);
  }
});

test('a text completion cut at every offset: masked, as recorded', async () => {
  const stream = await f.client.completions.create({ model: 'demo', prompt: 'hi', stream: true });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.text ?? '';
  const record = await lastRecord();
  assert.equal(leaks(text, CREDENTIAL), null, text);
  sameWords(text, record.choices[0]!.text, 'completion');
  assert.equal(text.match(/\[MASKED:/g)?.length, CREDENTIAL.length + 1);
});

test('logprobs one token a chunk: neither the tokens nor their alternatives spell the key', async () => {
  const stream = await f.client.chat.completions.create({
    model: 'demo',
    stream: true,
    logprobs: true,
    top_logprobs: 1,
    messages: [{ role: 'user', content: 'logprobs' }],
  });
  let text = '';
  let tokens = '';
  let alternatives = '';
  for await (const c of stream) {
    const choice = c.choices[0];
    text += choice?.delta.content ?? '';
    for (const t of choice?.logprobs?.content ?? []) {
      tokens += t.token;
      alternatives += t.top_logprobs.map((a) => a.token).join('');
      assert.deepEqual(t.bytes, [...Buffer.from(t.token)], 'bytes follow the token');
    }
  }
  assert.equal(leaks(text, CREDENTIAL), null, text);
  assert.equal(leaks(tokens, CREDENTIAL), null, tokens);
  assert.equal(leaks(alternatives, CREDENTIAL), null, alternatives);
  assert.match(tokens, /^say \[MASKED:[^\]]+\]$/);
  assert.equal(tokens, text, 'the tokens spell the text the client read');
});
