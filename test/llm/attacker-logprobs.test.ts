// Logprobs spell the answer again, token by token. A client that asks for them (`logprobs: true`, a
// completion's `logprobs: 5`, the Responses API's `include: ["message.output_text.logprobs"]`) got
// every secret the model wrote back twice: once in the text, masked, and once as a list of tokens
// (`sk`, `-proj`, `-Zq`, `8X`, …), each too short for any detector, so the ledger kept the key in
// clear, and with `mask_responses: true` the client read it. The upstream is a node:http stand-in
// answering in OpenAI's wire format, streamed or whole; the client is the official openai SDK.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const KEY = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';
/** The part of the key that is secret: no record or masked answer may spell it. */
const SECRET_PART = KEY.slice(8);
/** The answer as the model's tokens. */
const TOKENS_OF_ANSWER = [
  'The',
  ' key',
  ' is',
  ' sk',
  '-proj',
  '-Zq',
  '8X',
  'vN2',
  'mB7',
  'kL4',
  'pR9',
  'tW3',
];
TOKENS_OF_ANSWER.push('yH6', 'cJ1', 'dF5', 'gA0', 's', ' ok');
const ANSWER = TOKENS_OF_ANSWER.join('');

const chatLogprob = (token: string) => ({
  token,
  logprob: -0.01,
  bytes: [...Buffer.from(token)],
  top_logprobs: [{ token, logprob: -0.01, bytes: [...Buffer.from(token)] }],
});

function answer(path: string, body: { stream?: boolean }, res: import('node:http').ServerResponse): void {
  if (path.endsWith('/chat/completions') && body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const token of TOKENS_OF_ANSWER) {
      const chunk = {
        id: 'chatcmpl-lp',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'demo',
        choices: [
          {
            index: 0,
            delta: { content: token },
            logprobs: { content: [chatLogprob(token)] },
            finish_reason: null,
          },
        ],
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    const last = { id: 'chatcmpl-lp', object: 'chat.completion.chunk', created: 0, model: 'demo' };
    res.end(
      `data: ${JSON.stringify({ ...last, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
    );
    return;
  }
  let whole: object;
  if (path.endsWith('/chat/completions')) {
    whole = {
      id: 'chatcmpl-lp',
      object: 'chat.completion',
      created: 0,
      model: 'demo',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: ANSWER },
          logprobs: { content: TOKENS_OF_ANSWER.map(chatLogprob) },
          finish_reason: 'stop',
        },
      ],
    };
  } else if (path.endsWith('/completions')) {
    whole = {
      id: 'cmpl-lp',
      object: 'text_completion',
      created: 0,
      model: 'demo',
      choices: [
        {
          index: 0,
          text: ANSWER,
          logprobs: {
            tokens: TOKENS_OF_ANSWER,
            token_logprobs: TOKENS_OF_ANSWER.map(() => -0.01),
            top_logprobs: TOKENS_OF_ANSWER.map((t) => ({ [t]: -0.01 })),
            text_offset: TOKENS_OF_ANSWER.map((_, i) => TOKENS_OF_ANSWER.slice(0, i).join('').length),
          },
          finish_reason: 'stop',
        },
      ],
    };
  } else {
    whole = {
      id: 'resp_lp',
      object: 'response',
      created_at: 0,
      status: 'completed',
      model: 'demo',
      output: [
        {
          type: 'message',
          id: 'msg_lp',
          role: 'assistant',
          status: 'completed',
          content: [
            {
              type: 'output_text',
              text: ANSWER,
              annotations: [],
              logprobs: TOKENS_OF_ANSWER.map(chatLogprob),
            },
          ],
        },
      ],
    };
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(whole));
}

let upstream: Server;
let gateway: TestGateway;
/** Through a connection that records only, and one that masks answers for the client too. */
let recorded: OpenAI;
let masked: OpenAI;

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8')), res));
  });
  const url = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: url, allow: ['*'] },
      { name: 'oa-masked', type: 'llm-openai', upstream: url, allow: ['*'], mask_responses: true },
    ],
  });
  const client = (name: string) =>
    new OpenAI({ baseURL: `${gateway.url}/c/${name}/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  recorded = client('oa');
  masked = client('oa-masked');
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

/** The tokens a value's logprobs list, in order, joined: what they spell. */
function spelled(value: unknown): string {
  if (Array.isArray(value)) return value.map(spelled).join('');
  if (typeof value !== 'object' || value === null) return '';
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    if (key === 'top_logprobs') continue;
    if (key === 'token' && typeof v === 'string') out += v;
    else if (key === 'tokens' && Array.isArray(v)) out += v.filter((t) => typeof t === 'string').join('');
    else out += spelled(v);
  }
  return out;
}

async function lastRecord(connection: string): Promise<unknown> {
  return (await connectionEvents(gateway, connection, 'llm.response')).at(-1)!.payload;
}

const CALLS = {
  chat: (c: OpenAI) =>
    c.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'key?' }],
      logprobs: true,
    }),
  completions: (c: OpenAI) => c.completions.create({ model: 'demo', prompt: 'key?', logprobs: 1 }),
  responses: (c: OpenAI) =>
    c.responses.create({ model: 'demo', input: 'key?', include: ['message.output_text.logprobs'] }),
  'chat streamed': async (c: OpenAI) => {
    const stream = await c.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'key?' }],
      logprobs: true,
      stream: true,
    });
    const chunks: unknown[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return chunks;
  },
} as const;

for (const [name, call] of Object.entries(CALLS)) {
  test(`${name}: the logprobs recorded do not spell the key`, async () => {
    const delivered = await call(recorded);
    assert.ok(
      spelled(delivered).includes(SECRET_PART),
      'without mask_responses the client gets them as sent',
    );
    const record = await lastRecord('oa');
    assert.ok(spelled(record).length > 0, 'the logprobs are recorded');
    assert.ok(!spelled(record).includes(SECRET_PART), `the record spells the key: ${spelled(record)}`);
    assert.ok(!JSON.stringify(record).includes(SECRET_PART));
  });

  test(`${name}: with mask_responses the client's logprobs do not spell the key`, async () => {
    const delivered = await call(masked);
    assert.ok(!spelled(delivered).includes(SECRET_PART), `the client reads the key: ${spelled(delivered)}`);
    assert.ok(!spelled(await lastRecord('oa-masked')).includes(SECRET_PART));
  });
}
