// What a client receives from the model is in the record, whatever its shape. A streamed response is
// recorded as its assembled choices (the stream passes to the client untouched), so a tool call of
// a shape the assembler did not know (a free-form tool, the legacy function_call) used to be
// recorded without its name or input: the command an assistant was told to run was missing from
// the ledger. A whole body that is not JSON (a proxy's HTML error page) was recorded as nothing, and
// a stream whose media type was written in capitals was taken for a whole body. The upstream here
// is a local stand-in that speaks OpenAI's streaming wire format for these shapes; the client is
// the official openai SDK, or fetch where the SDK would refuse the answer.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

/** The chunks of each scripted reply, by the user message that asks for it. */
const REPLIES: Record<string, object[]> = {
  'free-form': [
    { tool_calls: [{ index: 0, id: 'call_1', type: 'custom', custom: { name: 'shell', input: 'rm -rf ' } }] },
    { tool_calls: [{ index: 0, custom: { input: '/srv/data' } }] },
  ],
  legacy: [
    { role: 'assistant', function_call: { name: 'bash', arguments: '' } },
    { function_call: { arguments: '{"command":"cat ' } },
    { function_call: { arguments: '/etc/shadow"}' } },
  ],
};

/** A credential the upstream's error page shows: recorded masked, never in clear. */
const LEAKED = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';

let upstream: Server;
let gateway: TestGateway;
let client: OpenAI;

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const ask: string = body.messages.at(-1).content;
      if (ask === 'html-error') {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(`<html><body>Bad gateway. Debug: ${LEAKED}</body></html>`);
        return;
      }
      const deltas = REPLIES[ask] ?? [{ content: 'said in capitals' }];
      res.writeHead(200, { 'content-type': ask === 'capitals' ? 'Text/Event-Stream' : 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({
          id: 'chatcmpl-tools',
          object: 'chat.completion.chunk',
          created: 0,
          model: 'demo',
          choices: [{ index: 0, delta, finish_reason: finish }],
        })}\n\n`;
      for (const delta of deltas) res.write(chunk(delta, null));
      res.end(`${chunk({}, 'tool_calls')}data: [DONE]\n\n`);
    });
  });
  const upstreamUrl = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: upstreamUrl,
        allow: ['*'],
      },
    ],
  });
  client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const lastResponse = async () => (await connectionEvents(gateway, 'oa', 'llm.response')).at(-1)!;

async function streamAndRecord(ask: string) {
  const stream = await client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: ask }],
    stream: true,
  });
  const seen: unknown[] = [];
  for await (const chunk of stream) seen.push(chunk.choices[0]?.delta);
  const [response] = (await connectionEvents(gateway, 'oa', 'llm.response')).slice(-1);
  const choices = response?.payload?.choices as { toolCalls: unknown[] }[];
  return { seen, toolCalls: choices[0]?.toolCalls };
}

test("a streamed free-form tool call is recorded with the tool's name and its whole input", async () => {
  const { seen, toolCalls } = await streamAndRecord('free-form');
  assert.equal(seen.length, 3, 'the client got every chunk');
  assert.deepEqual(toolCalls, [{ id: 'call_1', name: 'shell', arguments: 'rm -rf /srv/data' }]);
});

test('a streamed legacy function_call is recorded as a tool call', async () => {
  const { toolCalls } = await streamAndRecord('legacy');
  assert.deepEqual(toolCalls, [{ id: '', name: 'bash', arguments: '{"command":"cat /etc/shadow"}' }]);
});

test('a whole body that is not JSON is recorded as text, masked, and delivered as it came', async () => {
  const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'html-error' }] }),
  });
  assert.equal(res.status, 502);
  assert.match(await res.text(), /Bad gateway/);
  const recorded = (await lastResponse()).payload!;
  assert.equal(recorded.body, null);
  assert.match(String(recorded.bodyText), /^<html><body>Bad gateway\. Debug: /);
  assert.ok(!String(recorded.bodyText).includes(LEAKED), 'the credential is masked in the record');
});

test('a stream whose media type is written in capitals is relayed and recorded as a stream', async () => {
  const { seen } = await streamAndRecord('capitals');
  assert.equal(seen.length, 2);
  const recorded = (await lastResponse()).payload!;
  assert.equal((recorded.choices as { text: string }[])[0]?.text, 'said in capitals');
  assert.notEqual(recorded.ttftMs, null, 'timed as a stream');
});
