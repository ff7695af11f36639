// Property tests for the stand-in model's small parsers and encoders: tokens re-join to the text,
// failure specs parse and never throw, embeddings are unit vectors, templates fill every field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  chunkText,
  countTokens,
  type DemoPrompt,
  defaultReply,
  embed,
  parseFailureSpecs,
  splitTokens,
} from '../../src/demo-model/index.js';
import { fillTemplate } from '../../src/demo-model/script.js';

test('tokens and chunks re-join to the exact text, at every chunk size', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.integer({ min: 1, max: 9 }),
      (text, size) => {
        assert.equal(splitTokens(text).join(''), text);
        const chunks = chunkText(text, size);
        assert.equal(chunks.join(''), text);
        assert.equal(chunks.length, Math.ceil(countTokens(text) / size));
      },
    ),
  );
});

const spec = fc.oneof(
  fc.constant('hang').map((s) => ({
    s,
    check: (r: ReturnType<typeof parseFailureSpecs>) => r.ok && r.reply.fail?.kind === 'hang',
  })),
  fc.nat(50).map((k) => ({
    s: `mid-stream:${k}`,
    check: (r: ReturnType<typeof parseFailureSpecs>) =>
      r.ok && r.reply.fail?.kind === 'mid-stream' && r.reply.fail.afterChunks === k,
  })),
  fc.integer({ min: 100, max: 599 }).map((status) => ({
    s: `status-${status}`,
    check: (r: ReturnType<typeof parseFailureSpecs>) => r.ok && r.reply.error?.status === status,
  })),
  fc.nat(100_000).map((ms) => ({
    s: `slow-${ms}`,
    check: (r: ReturnType<typeof parseFailureSpecs>) => r.ok && r.reply.delayMs === ms,
  })),
);

test('failure specs: every valid spec parses to its meaning, alone or combined with slow', () => {
  fc.assert(
    fc.property(spec, fc.nat(1000), ({ s, check }, ms) => {
      assert.ok(check(parseFailureSpecs(s)), s);
      assert.ok(check(parseFailureSpecs(` ${s.toUpperCase()} `)), 'case and spaces do not matter');
      const combined = parseFailureSpecs(`${s}, slow-${ms}`);
      assert.ok(combined.ok && combined.reply.delayMs === ms);
    }),
  );
});

test('failure specs: arbitrary text never throws, and unknown specs are named', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      const r = parseFailureSpecs(text);
      if (!r.ok) assert.ok(text.toLowerCase().includes(r.spec));
    }),
  );
});

test('embeddings: unit length, deterministic, sensitive to text, model and dimension count', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 50 }), fc.integer({ min: 1, max: 300 }), (text, dims) => {
      const v = embed('demo-embed', text, dims);
      assert.equal(v.length, dims);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4 || v.every((x) => x === 0));
      assert.deepEqual(embed('demo-embed', text, dims), v);
      if (dims >= 8) assert.notDeepEqual(embed('demo-embed', `${text}!`, dims), v);
    }),
  );
});

function prompt(lastUserText: string, choiceIndex: number): DemoPrompt {
  const messages = [{ role: 'user', content: lastUserText }];
  return {
    api: 'openai.chat',
    model: 'demo',
    messages,
    system: '',
    promptText: `user: ${lastUserText}`,
    lastUserText,
    choiceIndex,
    n: 4,
    promptIndex: 0,
    tools: [],
    toolChoice: 'auto',
    maxTokens: null,
    temperature: null,
    stream: false,
    stop: [],
    body: {},
    headers: {},
  };
}

test('default replies: distinct per choice, stable per prompt', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), fc.nat(3), fc.nat(3), (text, i, j) => {
      const a = defaultReply(prompt(text, i)).text;
      assert.equal(defaultReply(prompt(text, i)).text, a);
      if (i !== j) assert.notEqual(defaultReply(prompt(text, j)).text, a);
    }),
  );
});

test('templates: groups, fields, and unknown names left alone', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 10 }), { minLength: 3, maxLength: 3 }),
      fc.nat(3),
      (groups, i) => {
        const p = prompt('hello', i);
        assert.equal(
          fillTemplate('{{0}}|{{ 2 }}|{{choice}}|{{n}}|{{model}}|{{last_user}}|{{nope}}|{{7}}', p, groups),
          `${groups[0]}|${groups[2]}|${i}|4|demo|hello|{{nope}}|`,
        );
      },
    ),
  );
});
