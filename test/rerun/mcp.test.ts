// The re-run of an agent that uses MCP tools: the agent (the official openai client and the official
// MCP SDK client) runs through a real gateway in front of the stand-in model and the demo MCP tool
// server; both upstreams are stopped; `vigil rerun SESSION --mcp MCP_SESSION` (the real CLI) serves
// the recording, and the same agent code runs against it: same tool listing, same tool results, same
// final answer. A tool call with a changed argument gets `rerun_no_recorded_answer`, and the report
// names the call, the closest recorded call and the argument that differs.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { type DemoModel, type DemoPrompt, startDemoModel } from '../../src/demo-model/index.js';
import { type McpFixture, sdkClient, startMcpFixture, UPSTREAM_TOKEN } from '../mcp/fixture.js';
import { TOKENS } from '../support/gateway.js';
import { killLeftoverReruns, startRerun } from './rerun-cli.js';

const MODEL_KEY = 'sk-upstream-rerun-mcp-0123';
let model: DemoModel;
let f: McpFixture;
let configFile: string;
let upstreamsStopped = false;

/** The model's plan: one tool per turn, then an answer quoting what the tools said. */
const PLAN = [
  { name: 'add', arguments: { a: 2, b: 3 } },
  { name: 'read_file', arguments: { path: 'hello.txt' } },
  { name: 'add', arguments: { a: 2, b: 3 } },
];

function respond(prompt: DemoPrompt) {
  const results = prompt.messages.filter((m) => m.role === 'tool');
  const next = PLAN[results.length];
  if (next) return { text: `Step ${results.length + 1}: calling ${next.name}.`, toolCalls: [next] };
  return { text: `Done: ${results.map((m) => m.content).join(' | ')}` };
}

interface AgentRun {
  readonly listing: unknown;
  readonly toolResults: unknown[];
  readonly final: string | null;
  readonly llmSession: string;
}

/** The agent: lists the MCP tools, offers them to the model, runs each tool it asks for, until it answers. */
async function runAgent(openaiBase: string, tools: Client): Promise<AgentRun> {
  const openai = new OpenAI({ baseURL: openaiBase, apiKey: TOKENS.alice, maxRetries: 0 });
  const listing = await tools.listTools();
  const offered: ChatCompletionTool[] = listing.tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description ?? '', parameters: t.inputSchema },
  }));
  const messages: ChatCompletionMessageParam[] = [
    { role: 'user', content: 'Add 2 and 3, read hello.txt, then add 2 and 3 again.' },
  ];
  const toolResults: unknown[] = [];
  let llmSession = '';
  for (let turn = 0; turn < 8; turn++) {
    const { data: res, response } = await openai.chat.completions
      .create({ model: 'demo', messages, tools: offered })
      .withResponse();
    llmSession = response.headers.get('x-vigil-session-id') ?? llmSession;
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
      const result = await tools.callTool({ name: call.function.name, arguments: args });
      toolResults.push(result);
      messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify(result.content) });
    }
  }
  const last = messages.at(-1);
  return {
    listing: listing.tools,
    toolResults,
    final: typeof last?.content === 'string' ? last.content : null,
    llmSession,
  };
}

let recorded: AgentRun;
let mcpSession: string;
let secretWrite: unknown;
let readmeRead: unknown;
let promptGet: unknown;
let resourceListing: unknown;
let promptListing: unknown;
const SECRET_WRITE = { path: 'note.txt', content: `the key is ${UPSTREAM_TOKEN}` };

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: MODEL_KEY, respond });
  process.env.VIGIL_TEST_RERUN_MCP_MODEL_KEY = MODEL_KEY;
  const oa = {
    name: 'oa',
    type: 'llm-openai',
    upstream: model.url,
    credential: 'env:VIGIL_TEST_RERUN_MCP_MODEL_KEY',
    allow: ['group:ai-eng'],
  };
  f = await startMcpFixture({ connections: [{}, oa] });
  // The CLI reads the same connections (their credentials are known secrets) and the same data.
  const tools = {
    name: 'tools',
    type: 'mcp',
    upstream: f.upstream.url,
    credential: 'env:VIGIL_TEST_MCP_UPSTREAM',
    allow: ['group:ai-eng', 'group:contractors'],
  };
  configFile = join(f.gateway.dataDir, 'vigil.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({ data: f.gateway.dataDir, log_level: 'silent', connections: [tools, oa] }),
  );
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    recorded = await runAgent(`${f.gateway.url}/c/oa/v1`, client);
    // After the agent, a call whose argument holds a known secret: the ledger holds it masked.
    secretWrite = await client.callTool({ name: 'write_file', arguments: SECRET_WRITE });
    resourceListing = (await client.listResources()).resources;
    promptListing = (await client.listPrompts()).prompts;
    readmeRead = await client.readResource({ uri: 'demo://readme' });
    promptGet = await client.getPrompt({ name: 'summarize', arguments: { path: 'hello.txt' } });
  } finally {
    await client.close();
  }
  await f.gateway.recorder.drain();
  const calls = await f.events('mcp.call');
  mcpSession = calls[0]!.sessionId;
  // Nothing answers any more but the recording.
  await model.close();
  await f.upstream.close();
  upstreamsStopped = true;
});

after(async () => {
  killLeftoverReruns();
  if (!upstreamsStopped) {
    await model?.close();
    await f?.upstream.close();
  }
  await f?.gateway.close();
});

test('the recorded run called the tools and listed them with their definitions', async () => {
  assert.ok(recorded.llmSession, 'the gateway named the model session');
  assert.equal(recorded.toolResults.length, 3);
  assert.match(recorded.final ?? '', /^Done: .*"5".*hello from the demo root/);
  const listings = await f.events('mcp.tools');
  const add = listings
    .flatMap((e) => (e.payload?.tools ?? []) as { name: string; definition?: Record<string, unknown> }[])
    .find((t) => t.name === 'add');
  assert.equal(add?.definition?.description, 'Adds two numbers.');
  assert.deepEqual(add?.definition?.annotations, { readOnlyHint: true });
  assert.ok(add?.definition?.outputSchema, 'the output schema is recorded');
  const secrets = JSON.stringify(await f.events());
  assert.ok(!secrets.includes(UPSTREAM_TOKEN) && !secrets.includes(MODEL_KEY), 'credentials never recorded');
});

test('the same agent re-runs against vigil rerun --mcp: same listing, tool results and answer', async () => {
  const rerun = await startRerun(configFile, recorded.llmSession, ['--mcp', mcpSession]);
  let again: AgentRun;
  const client = await sdkClient(`${rerun.url}/mcp`, TOKENS.alice);
  try {
    again = await runAgent(`${rerun.url}/v1`, client);
  } finally {
    await client.close();
  }
  const { code, stdout, stderr, report } = await rerun.stop();
  assert.match(stdout, new RegExp(`MCP URL: +${rerun.url.replace(/[.]/g, '\\.')}/mcp`));
  assert.deepEqual(again.listing, recorded.listing);
  assert.deepEqual(again.toolResults, recorded.toolResults);
  assert.equal(again.final, recorded.final);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  assert.deepEqual(report.unmatched, []);
  assert.equal(report.answered, 4);
  assert.deepEqual(report.mcp?.sessions, [mcpSession]);
  assert.equal(report.mcp?.requests, 3);
  assert.equal(report.mcp?.answered, 3);
  assert.deepEqual(report.mcp?.unmatched, []);
  // Only the write made after the agent, outside its loop, was not asked for again.
  assert.deepEqual(report.mcp?.unserved, [4]);
});

test('a tool call with a secret in its arguments matches its masked recording', async () => {
  const rerun = await startRerun(configFile, recorded.llmSession, ['--mcp', mcpSession]);
  const client = await sdkClient(`${rerun.url}/mcp`, TOKENS.alice);
  try {
    const again = await client.callTool({ name: 'write_file', arguments: SECRET_WRITE });
    assert.deepEqual(again, secretWrite);
  } finally {
    await client.close();
  }
  const { report } = await rerun.stop();
  assert.deepEqual(report.mcp?.unmatched, []);
  assert.equal(report.mcp?.answered, 1);
});

test('a tool call with a changed argument gets no recorded answer, and the report names it', async () => {
  const rerun = await startRerun(configFile, recorded.llmSession, ['--mcp', mcpSession]);
  const client = await sdkClient(`${rerun.url}/mcp`, TOKENS.alice);
  let refused: unknown;
  try {
    const first = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    assert.deepEqual(first, recorded.toolResults[0]);
    refused = await client.callTool({ name: 'add', arguments: { a: 2, b: 4 } }).catch((err: unknown) => err);
    // Asked a third time, the identical call has only one recorded answer left (the recorded third call).
    const again = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    assert.deepEqual(again, recorded.toolResults[2]);
  } finally {
    await client.close();
  }
  assert.ok(refused instanceof McpError, String(refused));
  assert.equal((refused.data as { code?: string }).code, 'rerun_no_recorded_answer');
  assert.match(
    refused.message,
    /^MCP error -32001: tool call #2 \(add\) of the re-run has no recorded result/,
  );
  const { code, stdout, report } = await rerun.stop();
  assert.equal(code, 1, 'a diverging re-run exits 1');
  assert.equal(report.mcp?.answered, 2);
  assert.deepEqual(report.mcp?.unmatched, [
    {
      position: 2,
      tool: 'add',
      reason: 'no_match',
      closest: { position: 3, tool: 'add', callId: report.mcp?.unmatched[0]?.closest?.callId },
      differs: { tool: false, arguments: ['b'] },
    },
  ]);
  assert.deepEqual(report.mcp?.unserved, [2, 4]);
  assert.match(stdout, /tool call #2 \("add"\): no recorded answer; closest recorded call #3 \("add"\)/);
  assert.match(stdout, /arguments differ: b/);
  assert.ok(!stdout.includes('"b":4'), 'argument values are not printed');
});

test('resource reads and prompt gets are answered from the recording; another prompt argument is not', async () => {
  const rerun = await startRerun(configFile, recorded.llmSession, ['--mcp', mcpSession]);
  const client = await sdkClient(`${rerun.url}/mcp`, TOKENS.alice);
  let refused: unknown;
  try {
    // The listings are served as the recording got them, descriptions included.
    const { resources } = await client.listResources();
    assert.deepEqual(resources, resourceListing);
    assert.equal(resources[0]?.description, 'What this server is');
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts, promptListing);
    assert.deepEqual(await client.readResource({ uri: 'demo://readme' }), readmeRead);
    refused = await client
      .getPrompt({ name: 'summarize', arguments: { path: 'other.txt' } })
      .catch((err: unknown) => err);
    assert.deepEqual(
      await client.getPrompt({ name: 'summarize', arguments: { path: 'hello.txt' } }),
      promptGet,
    );
  } finally {
    await client.close();
  }
  assert.ok(refused instanceof McpError, String(refused));
  assert.equal((refused.data as { code?: string }).code, 'rerun_no_recorded_answer');
  const { code, stdout, report } = await rerun.stop();
  assert.equal(code, 1, 'a diverging re-run exits 1');
  const reads = report.mcp?.reads;
  assert.equal(reads?.recorded, 2);
  assert.equal(reads?.requests, 3);
  assert.equal(reads?.answered, 2);
  assert.deepEqual(reads?.unserved, []);
  assert.deepEqual(
    reads?.unmatched.map((u) => [u.position, u.tool, u.reason, u.closest?.position, u.differs?.arguments]),
    [[2, 'prompts/get', 'no_match', 2, ['arguments']]],
  );
  assert.match(
    stdout,
    /read #2 \(prompts\/get\): no recorded answer; closest recorded read #2 \(prompts\/get\)/,
  );
  assert.ok(!stdout.includes('other.txt'), 'prompt argument values are not printed');
});
