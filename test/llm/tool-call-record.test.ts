// What a model asks a client to run is in the record, whatever kind of tool call it is. A streamed
// response is recorded as its assembled choices (the stream passes to the client untouched), so a
// tool call of a shape the assembler did not know (a free-form tool, the legacy function_call) used
// to be recorded without its name or input: the command an assistant was told to run was missing
// from the ledger. The upstream here is a local stand-in that speaks OpenAI's streaming wire format
// for these shapes; the client is the official openai SDK.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

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

let upstream: Server;
let gateway: TestGateway;
let client: OpenAI;

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const deltas = REPLIES[body.messages.at(-1).content] ?? [];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
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
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
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
