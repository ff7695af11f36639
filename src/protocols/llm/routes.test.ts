import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyLlmRoute } from './routes.js';

test('a model id segment that any reading turns into a dot segment or several segments is no route', () => {
  for (const id of [
    '%2e%2e',
    '..',
    '.',
    '.%2E',
    '%2E',
    '%252e%252e',
    '..%2Ffiles',
    '%2F',
    'a%5Cb',
    'a\\b',
    '%00',
    '%E0%A4%A',
    '50%off',
  ]) {
    assert.equal(classifyLlmRoute('llm-openai', 'GET', `/v1/models/${id}`), null, id);
    assert.equal(classifyLlmRoute('llm-anthropic', 'GET', `/v1/models/${id}`), null, id);
  }
  for (const id of [
    'gpt-4o',
    'ft%3Agpt-4o%3Aorg%3Ax',
    'ft:gpt-4o:org:x',
    'claude-3-5-sonnet-20241022',
    'gpt-3.5-turbo',
    '...x',
  ]) {
    assert.equal(classifyLlmRoute('llm-openai', 'GET', `/v1/models/${id}`), 'openai.models', id);
  }
});

test('an accepted model path is one the URL parser leaves as it is, and decodes to one segment', () => {
  const idChar = fc.constantFrom(
    'a',
    'Z',
    '0',
    '.',
    '-',
    '_',
    ':',
    '%',
    '2',
    'e',
    'E',
    'f',
    'F',
    '5',
    'c',
    'C',
    '/',
    '\\',
  );
  fc.assert(
    fc.property(fc.array(idChar, { minLength: 1, maxLength: 12 }), (chars) => {
      const id = chars.join('');
      const path = `/v1/models/${id}`;
      if (classifyLlmRoute('llm-openai', 'GET', path) === null) return;
      assert.equal(new URL(`http://upstream${path}`).pathname, path);
      let reading = id;
      for (let i = 0; i < 4; i++) {
        assert.ok(!reading.includes('/') && !reading.includes('\\') && reading !== '..' && reading !== '.');
        reading = decodeURIComponent(reading);
      }
    }),
    { numRuns: 3000 },
  );
});
