import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventDraft, JsonObject, JsonValue } from '../core/events.js';
import { describeAction } from './action-facts.js';

function draft(type: EventDraft['type'], payload: JsonObject): EventDraft {
  return {
    type,
    sessionId: 's',
    connection: 'c',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    time: '2025-01-01T00:00:00.000Z',
    payload,
  };
}

const llm = (api: string, body: JsonObject, model: string | null = null) =>
  describeAction(draft('llm.request', { requestId: 'r', api, model, body }));

test('db.query: the statement, upper-cased distinct kinds and the tables of every statement', () => {
  const facts = describeAction(
    draft('db.query', {
      statement: 'with d as (delete from a returning *) select * from public.b, d',
      classification: {
        statements: [
          { kind: 'select', hasWhere: false, tables: ['public.b'], writes: false, nested: false },
          { kind: 'DELETE', hasWhere: false, tables: ['a'], writes: true, nested: true },
          { kind: 'SELECT', hasWhere: false, tables: ['public.b'], writes: false, nested: false },
        ],
      },
    }),
  );
  assert.deepEqual(facts, {
    text: 'with d as (delete from a returning *) select * from public.b, d',
    statementKinds: ['SELECT', 'DELETE'],
    tables: ['public.b', 'a'],
    model: null,
    tools: [],
  });
});

test('db.query: a null statement (an unknown portal) and a missing classification give empty facts', () => {
  assert.deepEqual(describeAction(draft('db.query', { statement: null })), {
    text: '',
    statementKinds: [],
    tables: [],
    model: null,
    tools: [],
  });
  const odd = describeAction(
    draft('db.query', { classification: { statements: [null, 3, { tables: 'x' }] } }),
  );
  assert.deepEqual([odd.statementKinds, odd.tables], [[], []]);
});

test('OpenAI chat: string and part contents, offered tools and tool calls in the history', () => {
  const facts = llm(
    'openai.chat',
    {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look at this' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't1', type: 'function', function: { name: 'run_sql', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 't1', content: 'rows: 3' },
      ],
      tools: [{ type: 'function', function: { name: 'search' } }],
    },
    'gpt-4o',
  );
  assert.equal(facts.text, 'be brief\nlook at this\nrows: 3');
  assert.equal(facts.model, 'gpt-4o');
  assert.deepEqual(facts.tools.toSorted(), ['run_sql', 'search']);
});

test('Anthropic messages: system blocks, text, tool_use names, tool_result contents, flat tools', () => {
  const facts = llm('anthropic.messages', {
    model: 'claude-sonnet-4',
    system: [{ type: 'text', text: 'you are careful' }],
    messages: [
      { role: 'user', content: 'first question' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'let me check' },
          { type: 'tool_use', id: 'u1', name: 'read_file', input: { path: '/etc/passwd' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'u1', content: [{ type: 'text', text: 'root:x:0:0' }] },
          { type: 'tool_result', tool_use_id: 'u2', content: 'plain result' },
        ],
      },
    ],
    tools: [{ name: 'read_file', input_schema: { type: 'object' } }, { name: 'Bash' }],
  });
  assert.equal(facts.text, 'you are careful\nfirst question\nlet me check\nroot:x:0:0\nplain result');
  assert.equal(facts.model, 'claude-sonnet-4', 'the body model when the payload has none');
  assert.deepEqual(facts.tools.toSorted(), ['Bash', 'read_file']);
  assert.equal(llm('anthropic.messages', { system: 'plain system', messages: [] }).text, 'plain system');
});

test('OpenAI responses, completions and embeddings', () => {
  assert.equal(llm('openai.responses', { instructions: 'be kind', input: 'hello' }).text, 'be kind\nhello');
  const items = llm('openai.responses', {
    input: [
      { role: 'user', content: [{ type: 'input_text', text: 'q' }] },
      { type: 'function_call', name: 'lookup', call_id: 'c', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c', output: 'answer' },
    ],
    tools: [{ type: 'function', name: 'lookup' }],
  });
  assert.equal(items.text, 'q\nanswer');
  assert.deepEqual(items.tools, ['lookup']);
  assert.equal(llm('openai.completions', { prompt: 'complete me' }).text, 'complete me');
  assert.equal(llm('openai.completions', { prompt: ['a', 'b'] }).text, 'a\nb');
  assert.equal(llm('openai.embeddings', { input: ['one', 'two'] }).text, 'one\ntwo');
  assert.equal(llm('openai.embeddings', { input: [[1, 2, 3]] }).text, '', 'token arrays have no text');
});

test('a model request without a usable body has empty facts', () => {
  const bodies: JsonValue[] = [
    null,
    'text',
    [1],
    { messages: 'x', tools: 'y' },
    { messages: [null, 1, { content: 5 }] },
  ];
  for (const body of bodies) {
    assert.deepEqual(
      describeAction(draft('llm.request', { body })),
      { text: '', statementKinds: [], tables: [], model: null, tools: [] },
      JSON.stringify(body),
    );
  }
});

test('hostile nesting is cut off rather than recursed without end', () => {
  let content: JsonObject = { type: 'text', text: 'deep' };
  for (let i = 0; i < 10_000; i++) content = { type: 'tool_result', content: [content] };
  const facts = llm('anthropic.messages', { messages: [{ role: 'user', content: [content] }] });
  assert.equal(facts.text, '');
});

test('ssh.exec, mcp.call and http.request', () => {
  assert.equal(describeAction(draft('ssh.exec', { command: 'rm -rf /tmp/x' })).text, 'rm -rf /tmp/x');
  const call = describeAction(draft('mcp.call', { tool: 'query', arguments: { sql: 'drop table t' } }));
  assert.equal(call.text, 'query\n{"sql":"drop table t"}');
  assert.deepEqual(call.tools, ['query']);
  assert.deepEqual(describeAction(draft('mcp.call', {})).tools, []);
  assert.equal(
    describeAction(draft('http.request', { method: 'POST', path: '/admin', body: 'x=1' })).text,
    'POST /admin\nx=1',
  );
  assert.equal(describeAction(draft('http.request', { method: 'GET', path: '/' })).text, 'GET /');
});

test('events that are not actions have no facts', () => {
  assert.equal(describeAction(draft('llm.response', { body: { choices: [] } })).text, '');
});
