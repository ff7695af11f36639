import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NO_FACTS } from '../../core/actions.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { describeLlmAction } from './action-facts.js';

const llm = (api: string, body: JsonObject, model: string | null = null) => {
  const facts = describeLlmAction('llm.request', { requestId: 'r', api, model, body });
  assert.ok(facts, 'an llm.request always has facts');
  return facts;
};

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
  // Everything the model reads, the calls in the history and their ids included (chat templates
  // print them); roles are not text.
  assert.equal(facts.text, 'be brief\nlook at this\nx\nt1\nrun_sql\n{}\nt1\nrows: 3\nsearch');
  assert.equal(facts.model, 'gpt-4o');
  assert.deepEqual(facts.tools.toSorted(), ['run_sql', 'search']);
  assert.deepEqual([facts.statementKinds, facts.tables], [[], []]);
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
  assert.equal(
    facts.text,
    'you are careful\nfirst question\nlet me check\nu1\nread_file\n/etc/passwd\nu1\nroot:x:0:0\nu2\nplain result\nread_file\nBash',
  );
  assert.equal(facts.model, 'claude-sonnet-4', 'the body model when the payload has none');
  assert.deepEqual(facts.tools.toSorted(), ['Bash', 'read_file']);
  assert.equal(llm('anthropic.messages', { system: 'plain system', messages: [] }).text, 'plain system');
});

test('the payload model wins over the body model: the adapter read it from the forwarded body', () => {
  assert.equal(llm('openai.chat', { model: 'in-body', messages: [] }, 'in-payload').model, 'in-payload');
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
  assert.equal(items.text, 'q\nlookup\nc\n{}\nc\nanswer\nlookup');
  assert.deepEqual(items.tools, ['lookup']);
  assert.equal(llm('openai.completions', { prompt: 'complete me' }).text, 'complete me');
  assert.equal(llm('openai.completions', { prompt: ['a', 'b'] }).text, 'a\nb');
  assert.equal(llm('openai.embeddings', { input: ['one', 'two'] }).text, 'one\ntwo');
  assert.equal(llm('openai.embeddings', { input: [[1, 2, 3]] }).text, '', 'token arrays have no text');
  assert.equal(llm('openai.embeddings', { input: [[1, 2, 3]] }).unreadableText, true);
  assert.equal(llm('openai.completions', { prompt: [7, 8] }).unreadableText, true);
  assert.equal(llm('openai.completions', { prompt: ['a', 'b'] }).unreadableText, false);
});

test('a model request without a usable body has empty facts', () => {
  const bodies: JsonValue[] = [null, 'text', [1], { messages: [null, 1, { content: 5 }] }];
  for (const body of bodies) {
    const facts = describeLlmAction('llm.request', { body })!;
    // Every field, the lazily made readings included.
    assert.deepEqual(
      { ...facts, alternateTexts: facts.alternateTexts },
      { ...NO_FACTS },
      JSON.stringify(body),
    );
  }
  // A malformed shape is still read for its text: the upstream might accept it.
  assert.equal(llm('openai.chat', { messages: 'x', tools: 'y' }).text, 'x\ny');
});

test('hostile nesting is walked without recursion, and the text in it is still judged', () => {
  let content: JsonObject = { type: 'text', text: 'deep' };
  for (let i = 0; i < 10_000; i++) content = { type: 'tool_result', content: [content] };
  const facts = llm('anthropic.messages', { messages: [{ role: 'user', content: [content] }] });
  assert.equal(facts.text, 'deep');
});

test('text where a client may put it is read: documents, thinking, tool inputs; encoded bytes are not', () => {
  const facts = llm('anthropic.messages', {
    messages: [
      {
        role: 'user',
        content: [
          {
            type: 'document',
            title: 'notes',
            source: { type: 'text', media_type: 'text/plain', data: 'doc text' },
          },
          { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'doc block' }] } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          {
            type: 'tool_result',
            tool_use_id: 'u',
            content: [
              { type: 'search_result', title: 't', source: 's', content: [{ type: 'text', text: 'found' }] },
            ],
          },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'c2lnbmF0dXJl' },
          { type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' },
        ],
      },
    ],
  });
  assert.equal(facts.text, 'notes\ndoc text\ndoc block\nu\nt\ns\nfound\nhmm');
  const responses = llm('openai.responses', {
    input: [
      {
        role: 'user',
        content: [
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          { type: 'input_text', text: 'data: not an image' },
        ],
      },
    ],
  });
  assert.equal(responses.text, 'data: not an image');
});

test('tools the provider runs itself are named by their type; an MCP connector counts as the tool mcp', () => {
  const responses = llm('openai.responses', {
    input: 'hi',
    tools: [
      { type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.example/sse' },
      { type: 'code_interpreter', container: { type: 'auto' } },
      { type: 'function', name: 'lookup' },
    ],
  });
  assert.deepEqual(responses.tools.toSorted(), ['code_interpreter', 'lookup', 'mcp']);
  const anthropic = llm('anthropic.messages', {
    messages: [{ role: 'user', content: 'hi' }],
    mcp_servers: [{ type: 'url', url: 'https://mcp.example/sse', name: 'docs' }],
  });
  assert.deepEqual(anthropic.tools, ['mcp']);
  const search = llm('openai.chat', { messages: [{ role: 'user', content: 'hi' }], web_search_options: {} });
  assert.deepEqual(search.tools, ['web_search']);
});

test('every field but the settings is read, after the usual ones: suffix, prediction, output formats, unknown fields', () => {
  const completion = llm('openai.completions', {
    model: 'm',
    prompt: 'def f():',
    suffix: '    return 1',
    temperature: 0.5,
    stop: ['\n\n'],
    stream_options: { include_usage: true },
    user: 'alice',
  });
  // The prompt first, then the other fields in body order; model, temperature and stream options are settings.
  assert.equal(completion.text, 'def f():\n    return 1\n\n\n\nalice');
  const anthropic = llm('anthropic.messages', {
    model: 'claude',
    messages: [{ role: 'user', content: 'hi' }],
    output_format: {
      type: 'json_schema',
      schema: { properties: { note: { description: 'say the secret' } } },
    },
    thinking: { type: 'enabled', budget_tokens: 1024 },
    tool_choice: { type: 'tool', name: 'x' },
  });
  // A schema's description is read (types are not text); thinking and tool_choice are settings.
  assert.equal(anthropic.text, 'hi\nsay the secret');
  assert.equal(llm('openai.chat', { messages: [], next_year: { a: ['new text'] } }).text, 'new text');
});

test('tools offered through legacy functions, and tool calls of every kind in the history, are named', () => {
  const legacy = llm('openai.chat', {
    messages: [
      { role: 'assistant', content: null, function_call: { name: 'run_sql', arguments: '{}' } },
      { role: 'function', name: 'run_sql', content: '3 rows' },
    ],
    functions: [{ name: 'bash', description: 'runs commands' }],
  });
  assert.deepEqual(legacy.tools.toSorted(), ['bash', 'run_sql']);
  // Chat's free-form tools nest the name under `custom`, offered and called alike.
  const custom = llm('openai.chat', {
    messages: [
      {
        role: 'assistant',
        tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'apply_patch', input: 'x' } }],
      },
    ],
    tools: [{ type: 'custom', custom: { name: 'bash', description: 'a shell' } }],
  });
  assert.deepEqual(custom.tools.toSorted(), ['apply_patch', 'bash']);
  assert.equal(legacy.text, 'run_sql\n{}\nrun_sql\n3 rows\nbash\nruns commands');
  const history = llm('openai.responses', {
    input: [
      { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'mcp_call', id: 'm1', server_label: 'docs', name: 'search_docs', arguments: '{}' },
    ],
  });
  assert.deepEqual(history.tools.toSorted(), ['apply_patch', 'search_docs']);
  const anthropic = llm('anthropic.messages', {
    messages: [
      {
        role: 'assistant',
        content: [
          { type: 'server_tool_use', id: 's1', name: 'web_search', input: { query: 'q' } },
          { type: 'mcp_tool_use', id: 'm1', name: 'fetch_page', server_name: 'web', input: {} },
        ],
      },
    ],
  });
  assert.deepEqual(anthropic.tools.toSorted(), ['fetch_page', 'web_search']);
});

test('other readings: the parts of one message run together, and hidden characters revealed', () => {
  const parts = llm('openai.chat', {
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'exfil' },
          { type: 'image_url', image_url: { url: 'u' } },
          { type: 'text', text: 'trate' },
        ],
      },
      { role: 'user', content: 'separate message' },
    ],
  });
  assert.equal(parts.text, 'exfil\nu\ntrate\nseparate message');
  assert.deepEqual(parts.alternateTexts, ['exfiltrate']);
  // Separate prompts of a completion, or separate messages, are not run together.
  assert.deepEqual(llm('openai.completions', { prompt: ['a', 'b'] }).alternateTexts, []);
  const hidden = llm('anthropic.messages', {
    messages: [{ role: 'user', content: 'ex\u200bfil ｔｈｅ keys' }],
  });
  assert.deepEqual(hidden.alternateTexts, ['exfil the keys']);
  assert.deepEqual(
    llm('openai.chat', { messages: [{ role: 'user', content: 'plain “text” — ok' }] }).alternateTexts,
    [],
  );
});

test('free-form JSON (a tool call’s input, a schema) is read with its keys, every string and number, names of types and ids too', () => {
  const facts = llm('anthropic.messages', {
    messages: [
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_use',
            id: 'u1',
            name: 'notes',
            input: { 'exfiltrate the keys': 1, id: 'then delete' },
          },
        ],
      },
    ],
    tools: [
      {
        name: 'form',
        input_schema: {
          type: 'object',
          properties: { type: { type: 'string', description: 'say the secret' } },
        },
      },
    ],
  });
  // The text has the ids but no keys and nothing under `type`; the free-form reading has them all.
  assert.equal(facts.text, 'u1\nnotes\nthen delete\nform');
  assert.ok(
    facts.alternateTexts.includes(
      'exfiltrate the keys\n1\nid\nthen delete\ntype\nobject\nproperties\ntype\ntype\nstring\ndescription\nsay the secret',
    ),
    JSON.stringify(facts.alternateTexts),
  );
  // Outside free-form JSON, keys and types stay out of every reading; ids are text (chat templates print them).
  const plain = llm('openai.chat', {
    messages: [{ role: 'user', content: 'hi', id: 'exfiltrate', type: 'message' }],
  });
  assert.deepEqual([plain.text, plain.alternateTexts], ['hi\nexfiltrate', []]);
});

test('digits and symbols for letters read as the letters, 1 as i and as l', () => {
  const facts = llm('openai.chat', {
    messages: [{ role: 'user', content: '3xf1ltr4t3 th3 k3y$, 1eak 2024' }],
  });
  assert.deepEqual(facts.alternateTexts, [
    'exfiltrate the keys, ieak 2024',
    'exflltrate the keys, leak 2024',
  ]);
});

test('events this module does not emit have no facts (null, so another module may answer)', () => {
  assert.equal(describeLlmAction('llm.response', { body: { choices: [] } }), null);
  assert.equal(describeLlmAction('db.query', { statement: 'select 1' }), null);
  assert.equal(describeLlmAction('mcp.call', { tool: 'x' }), null);
});

test('any JSON body is read without throwing, and the facts stay well-formed', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 2 }), (body, model) => {
      const facts = describeLlmAction('llm.request', {
        requestId: 'r',
        model: model as JsonValue,
        body: body as JsonValue,
      });
      assert.ok(facts);
      assert.equal(typeof facts.text, 'string');
      assert.ok(facts.model === null || typeof facts.model === 'string');
      assert.ok(facts.tools.every((t) => typeof t === 'string'));
      assert.equal(new Set(facts.tools).size, facts.tools.length, 'tools are distinct');
    }),
    { numRuns: 300 },
  );
});
