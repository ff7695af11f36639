import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LLM_APIS } from '../../core/llm-payloads.js';
import { assertAllowedQuery } from './query-parameters.js';

const accepts = (api: (typeof LLM_APIS)[number], search: string): boolean => {
  try {
    assertAllowedQuery(api, search);
    return true;
  } catch {
    return false;
  }
};

test('what the SDKs and Azure send passes', () => {
  assert.ok(accepts('openai.chat', ''));
  assert.ok(accepts('openai.chat', '?api-version=2024-10-21'));
  assert.ok(accepts('openai.responses', '?api-version=2025-04-01-preview'));
  assert.ok(accepts('anthropic.messages', '?beta=true'));
  assert.ok(accepts('anthropic.count_tokens', '?beta=true'));
  assert.ok(accepts('anthropic.models', '?limit=20&after_id=claude-3-5-sonnet-20241022&beta=true'));
});

test('a parameter of another API, or none of any, is refused', () => {
  assert.ok(!accepts('openai.chat', '?beta=true'));
  assert.ok(!accepts('anthropic.messages', '?api-version=2024-10-21'));
  assert.ok(!accepts('anthropic.messages', '?limit=2'));
  assert.ok(!accepts('openai.chat', '?model=gpt-4o'));
  assert.ok(!accepts('openai.chat', '?_method=GET'));
});

test('every query that passes reads the same to any parser: allowed names, once, values as sent', () => {
  const piece = fc.constantFrom(
    'api-version',
    'beta',
    'limit',
    'model',
    '=',
    '&',
    ';',
    '%',
    '+',
    ' ',
    'a',
    '1',
    '-',
    '_',
    '%61',
    '%3D',
  );
  fc.assert(
    fc.property(fc.constantFrom(...LLM_APIS), fc.array(piece, { maxLength: 12 }), (api, pieces) => {
      const search = `?${pieces.join('')}`;
      if (!accepts(api, search)) return;
      const names = new Set<string>();
      for (const [name, value] of new URLSearchParams(search)) {
        assert.ok(['api-version', 'beta', 'limit', 'after_id', 'before_id'].includes(name), search);
        assert.ok(!names.has(name), search);
        names.add(name);
        assert.ok(search.includes(`${name}=${value}`), search);
        assert.doesNotMatch(value, /[;%+ ]/, search);
      }
    }),
    { numRuns: 2000 },
  );
});
