// The agent loop of the README: the official openai client with tools, through Vigil's LLM
// connection to the stand-in model, running the tools the model asks for through Vigil's MCP
// connection (the official MCP SDK client) and an HTTP request through an `http` connection.
// `vigil tree` then links each tool call and request to the model turn that asked for it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { type DemoModel, type DemoPrompt, startDemoModel } from '../../src/demo-model/index.js';
import { runCli } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';

const MODEL_KEY = 'sk-upstream-agent-loop-0123';
let model: DemoModel;
let f: McpFixture;
let tools: Client;

/** The model's plan: one tool per turn, then an answer. */
const PLAN = [
  { name: 'add', arguments: { a: 2, b: 3 } },
  { name: 'read_file', arguments: { path: 'hello.txt' } },
  { name: 'http_get', arguments: { path: '/v1/models' } },
];

function respond(prompt: DemoPrompt) {
  const done = prompt.messages.filter((m) => m.role === 'tool').length;
  const next = PLAN[done];
  return next
    ? { text: `Step ${done + 1}: calling ${next.name}.`, toolCalls: [next] }
    : { text: 'All done: 5.' };
}

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: MODEL_KEY, respond });
  process.env.VIGIL_TEST_AGENT_MODEL_KEY = MODEL_KEY;
  f = await startMcpFixture({
    connections: [
      {},
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_AGENT_MODEL_KEY',
        allow: ['group:ai-eng'],
      },
      {
        name: 'model-api',
        type: 'http',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_AGENT_MODEL_KEY',
        allow: ['group:ai-eng'],
      },
    ],
  });
  tools = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
});

after(async () => {
  await tools?.close();
  await f?.close();
  await model?.close();
});

test('each tool call and HTTP request is linked in vigil tree to the turn that asked for it', async () => {
  const openai = new OpenAI({ baseURL: `${f.gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const offered: ChatCompletionTool[] = (await tools.listTools()).tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description ?? '', parameters: t.inputSchema },
  }));
  offered.push({
    type: 'function',
    function: {
      name: 'http_get',
      description: 'GET a path of the model API',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
  });
  const messages: ChatCompletionMessageParam[] = [
    { role: 'user', content: 'Add 2 and 3, then read hello.txt.' },
  ];
  let sessionId = '';
  for (let turn = 0; turn < 6; turn++) {
    const { data: res, response } = await openai.chat.completions
      .create({ model: 'demo', messages, tools: offered })
      .withResponse();
    sessionId = response.headers.get('x-vigil-session-id') ?? sessionId;
    const message = res.choices[0]!.message;
    messages.push({
      role: 'assistant',
      content: message.content,
      ...(message.tool_calls ? { tool_calls: message.tool_calls } : {}),
    });
    if (!message.tool_calls?.length) break;
    for (const call of message.tool_calls) {
      if (call.type !== 'function') continue;
      const args = JSON.parse(call.function.arguments) as Record<string, unknown>;
      let content: string;
      if (call.function.name === 'http_get') {
        const r = await fetch(`${f.gateway.url}/c/model-api${String(args.path)}`, {
          headers: { authorization: `Bearer ${TOKENS.alice}` },
        });
        content = await r.text();
      } else {
        const result = await tools.callTool({ name: call.function.name, arguments: args });
        content = JSON.stringify(result.content);
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content });
    }
  }
  assert.equal(messages.at(-1)?.content, 'All done: 5.');
  assert.ok(sessionId);
  await f.gateway.recorder.drain();
  const tree = await runCli(['--data', f.gateway.dataDir, 'tree', sessionId, '--json']);
  assert.equal(tree.code, 0, tree.stderr);
  const { actions, tree: t } = JSON.parse(tree.stdout) as {
    actions: { actionType: string; action: string; nodeId: string; evidence: string }[];
    tree: { nodes: { id: string; toolCalls: { name: string }[] }[] };
  };
  const linked = (type: string, text: string) =>
    actions.filter((a) => a.actionType === type && a.action.startsWith(text));
  const nodeAsking = (tool: string) => t.nodes.find((n) => n.toolCalls.some((c) => c.name === tool))?.id;
  const add = linked('mcp.call', 'add(');
  const read = linked('mcp.call', 'read_file(');
  const get = linked('http.request', 'GET /v1/models');
  assert.equal(add.length, 1, JSON.stringify(actions));
  assert.equal(read.length, 1, JSON.stringify(actions));
  assert.equal(get.length, 1, JSON.stringify(actions));
  assert.equal(add[0]!.nodeId, nodeAsking('add'));
  assert.equal(read[0]!.nodeId, nodeAsking('read_file'));
  assert.equal(get[0]!.nodeId, nodeAsking('http_get'));
  assert.notEqual(add[0]!.nodeId, read[0]!.nodeId, 'each call is linked to its own turn');
  for (const a of [...add, ...read, ...get]) assert.equal(a.evidence, 'tool-call');
});
