// Script files: ordered rules matched on the prompt, per-choice replies, templates, tool calls,
// scripted errors and failures; invalid scripts are config_invalid errors naming the rule.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { isVigilError } from '../../src/core/errors.js';
import { type DemoModel, scriptResponder, startDemoModel } from '../../src/demo-model/index.js';

const SCRIPT = `
rules:
  - match: { last_user: 'Input: (\\d+) (\\d+) (\\d+) (\\d+)', api: openai.chat }
    replies:
      - text: "{{1}} + {{2}} = {{hash}} (left: {{3}} {{4}})"
      - text: "{{1}} * {{2}} = x (left: {{3}} {{4}}), choice {{choice}} of {{n}}"
  - match: { prompt: 'evaluate', model: '^demo-mini$' }
    reply: { text: sure }
  - match: { last_user: 'weather' }
    reply: { tool_calls: [{ name: get_weather, arguments: { city: Paris } }] }
  - match: { last_user: 'quota' }
    reply: { error: { status: 429, message: 'Quota gone', code: insufficient_quota } }
  - match: { last_user: 'break' }
    reply: { text: 'a b c d', fail: 'mid-stream:1' }
`;

let model: DemoModel;
let client: OpenAI;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-script-'));
  const path = join(dir, 'script.yaml');
  writeFileSync(path, SCRIPT);
  model = await startDemoModel({ script: path });
  client = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});

after(() => model.close());

const user = (content: string) => [{ role: 'user' as const, content }];

test('replies per choice with capture groups and template fields', async () => {
  const r = await client.chat.completions.create({ model: 'demo', messages: user('Input: 4 9 10 13'), n: 3 });
  const [a, b, c] = r.choices.map((x) => x.message.content ?? '');
  assert.match(a!, /^4 \+ 9 = [0-9a-f]{8} \(left: 10 13\)$/);
  assert.equal(b, '4 * 9 = x (left: 10 13), choice 1 of 3');
  assert.match(c!, /^4 \+ 9 = [0-9a-f]{8} \(left: 10 13\)$/, 'replies cycle');
  assert.notEqual(a, c, 'the hash differs per choice');
});

test('rules filter on api and model; no match falls back to the default reply', async () => {
  const completion = await client.completions.create({ model: 'demo', prompt: 'Input: 1 2 3 4' });
  assert.match(completion.choices[0]!.text, /^Demo reply 1 /);
  const mini = await client.chat.completions.create({ model: 'demo-mini', messages: user('Evaluate this') });
  assert.equal(mini.choices[0]!.message.content, 'sure');
  const other = await client.chat.completions.create({ model: 'demo', messages: user('Evaluate this') });
  assert.match(other.choices[0]!.message.content ?? '', /^Demo reply 1 /);
});

test('scripted tool calls, errors and failures', async () => {
  const tool = await client.chat.completions.create({ model: 'demo', messages: user('the weather?') });
  const call = tool.choices[0]!.message.tool_calls?.[0];
  assert.ok(call && call.type === 'function');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
  assert.equal(tool.choices[0]!.finish_reason, 'tool_calls');
  await assert.rejects(
    client.chat.completions.create({ model: 'demo', messages: user('quota') }),
    (err: unknown) => err instanceof OpenAI.RateLimitError && err.code === 'insufficient_quota',
  );
  const stream = await client.chat.completions.create({
    model: 'demo',
    messages: user('break'),
    stream: true,
  });
  await assert.rejects(async () => {
    for await (const _ of stream);
  });
});

test('invalid scripts are config_invalid errors that name the place', () => {
  const cases: [unknown, RegExp][] = [
    [{ rules: [{ match: { prompt: '(' }, reply: { text: 'x' } }] }, /rules\.0\.match\.prompt/],
    [
      { rules: [{ match: {}, reply: { text: 'x' }, replies: [{ text: 'y' }] }] },
      /exactly one of reply or replies/,
    ],
    [{ rules: [{ reply: { fail: 'explode' } }] }, /unknown failure spec 'explode'/],
    [{ rules: [{ reply: { txt: 'typo' } }] }, /rules\.0\.reply/],
  ];
  for (const [script, message] of cases) {
    assert.throws(
      () => scriptResponder(script, 'test.yaml'),
      (err: unknown) => isVigilError(err) && err.code === 'config_invalid' && message.test(err.message),
    );
  }
});
