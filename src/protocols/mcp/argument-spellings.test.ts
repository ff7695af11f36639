import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../core/events.js';
import { foldedKey } from '../../http/json-keys.js';
import { misspeltArgument } from './argument-spellings.js';

const toolWith = (properties: JsonObject): JsonObject => ({
  name: 't',
  inputSchema: { type: 'object', properties },
});

/** A spelling of `name` a case-insensitive reader takes for it: each letter's case chosen by `flips`. */
function respelt(name: string, flips: readonly boolean[]): string {
  return [...name].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join('');
}

test('a key that folds to a declared property without being spelled as it is refused, at any depth', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z_]{1,12}$/),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
      fc.integer({ min: 0, max: 2 }),
      (name, flips, depth) => {
        const key = respelt(name, flips);
        let args: JsonObject = { [key]: 'v' };
        for (let i = 0; i < depth; i++) args = { wrap: [args] };
        const error = misspeltArgument(args, toolWith({ [name]: { type: 'string' } }));
        if (key === name) assert.equal(error, null);
        else assert.equal(error?.code, 'protocol_violation', key);
      },
    ),
  );
});

test('the long s and the Kelvin sign fold as Go folds them', () => {
  const tool = toolWith({ pass: {}, kind: {} });
  assert.equal(misspeltArgument({ paſs: 'x' }, tool)?.code, 'protocol_violation');
  assert.equal(misspeltArgument({ '\u212aind': 'x' }, tool)?.code, 'protocol_violation');
  assert.equal(foldedKey('\u212aind'), 'kind');
});

test('declared keys, undeclared keys in any case, and schemas without properties pass', () => {
  const tool = toolWith({ path: {}, Path2: {}, nested: { type: 'object', properties: { mode: {} } } });
  assert.equal(misspeltArgument({ path: '/tmp', Path2: 1, nested: { mode: 'r' }, Other: 1 }, tool), null);
  assert.equal(misspeltArgument({ nested: { MODE: 'w' } }, tool)?.code, 'protocol_violation');
  assert.equal(misspeltArgument({ PATH: 'x' }, { name: 't', inputSchema: { type: 'object' } }), null);
  assert.equal(misspeltArgument({ PATH: 'x' }, null), null);
});
