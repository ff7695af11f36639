import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConnectionConfig, connectionBaseSchema } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import { LLM_CONNECTION_TYPES } from './config.js';
import { llmModule } from './module.js';

const sample = llmModule.samples?.find((s) => s.option === 'prompt');
const upstream = 'http://127.0.0.1:1';
const openai = LLM_CONNECTION_TYPES['llm-openai'].parse({ name: 'oa', type: 'llm-openai', upstream });
const anthropic = LLM_CONNECTION_TYPES['llm-anthropic'].parse({
  name: 'an',
  type: 'llm-anthropic',
  upstream,
});

function build(connection: ConnectionConfig, text: string, refinements = {}) {
  assert.ok(sample, 'the llm module offers --prompt');
  return sample.build(connection, text, refinements);
}

test('--prompt offers --model and a repeatable --tool', () => {
  assert.ok(sample);
  assert.equal(sample.refinements?.model?.repeatable ?? false, false);
  assert.equal(sample.refinements?.tool?.repeatable, true);
});

test('an OpenAI connection gets the chat request the OpenAI SDK would send', async () => {
  const action = await build(openai, 'hello', { model: 'gpt-4o', tool: ['search', 'run_sql'] });
  assert.deepEqual(action, {
    type: 'llm.request',
    payload: {
      requestId: 'policy-test',
      api: 'openai.chat',
      method: 'POST',
      path: '/v1/chat/completions',
      query: '',
      model: 'gpt-4o',
      stream: false,
      n: 1,
      body: {
        messages: [{ role: 'user', content: 'hello' }],
        model: 'gpt-4o',
        tools: [
          { type: 'function', function: { name: 'search' } },
          { type: 'function', function: { name: 'run_sql' } },
        ],
      },
      parent: null,
      trace: null,
      clientConnection: null,
    },
  });
});

test('an Anthropic connection gets a messages request with flat tools', async () => {
  const action = await build(anthropic, 'hi', { tool: 'Bash' });
  assert.equal(action.payload.api, 'anthropic.messages');
  assert.equal(action.payload.path, '/v1/messages');
  assert.equal(action.payload.model, null);
  assert.deepEqual(action.payload.body, {
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
  });
});

test('what the sample builds reads to policy as the prompt, the model and the tools', async () => {
  for (const connection of [openai, anthropic]) {
    const action = await build(connection, 'drop the password table', { model: 'm1', tool: ['a', 'b'] });
    const facts = llmModule.describeAction(action.type, action.payload);
    assert.ok(facts);
    // The offered tools' names are read by the model too, so they follow the prompt.
    assert.equal(facts.text, 'drop the password table\na\nb');
    assert.equal(facts.model, 'm1');
    assert.deepEqual(facts.tools, ['a', 'b']);
  }
});

test('a connection of another protocol, or two models, is a usage error', async () => {
  const postgres = connectionBaseSchema.parse({ name: 'db', type: 'postgres', upstream: '127.0.0.1:5432' });
  await assert.rejects(build(postgres, 'x'), (err: unknown) => {
    assert.ok(err instanceof VigilError);
    assert.equal(err.code, 'usage');
    assert.match(err.message, /db is postgres/);
    return true;
  });
  await assert.rejects(build(openai, 'x', { model: ['a', 'b'] }), { code: 'usage' });
});
