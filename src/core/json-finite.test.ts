import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonValue } from './events.js';
import { holdsNonFiniteNumber, mayHoldNonFinite } from './json-finite.js';

test('property: JSON written by JSON.stringify holds no number out of range', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      assert.equal(holdsNonFiniteNumber(JSON.parse(text) as JsonValue), false);
    }),
  );
});

test('property: a number out of range anywhere in a document is found, and its text is flagged', () => {
  const huge = fc.constantFrom('1e400', '-1E+309', `1${'0'.repeat(309)}`, `9${'9'.repeat(320)}.5`);
  fc.assert(
    fc.property(fc.jsonValue(), huge, fc.nat(), (value, number, at) => {
      // The number put in place of one value of the document (or as the whole of it).
      const text = JSON.stringify(value);
      const slots = [...text.matchAll(/[:[,]/g)].map((m) => (m.index ?? 0) + 1);
      const slot = slots.length === 0 ? null : slots[at % slots.length]!;
      const doc =
        slot === null || text[slot] === ']' || text[slot] === '}'
          ? number
          : `${text.slice(0, slot)}${number},${text.slice(slot)}`;
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(doc) as JsonValue;
      } catch {
        return; // the slot was inside a key or a string: not a value position
      }
      if (!holdsNonFiniteNumber(parsed)) return; // the number landed inside a string
      assert.ok(mayHoldNonFinite(doc));
    }),
  );
  assert.equal(holdsNonFiniteNumber(JSON.parse('{"a":[1,{"b":1e400}]}') as JsonValue), true);
  assert.equal(mayHoldNonFinite('{"a":1e308,"b":123}'), true, 'a cheap filter: 1e308 is finite but flagged');
  assert.equal(mayHoldNonFinite('{"a":1e30,"b":12345678}'), false);
});

test('a value nested a hundred thousand deep is walked without overflowing the stack', () => {
  let v: JsonValue = 1e308 * 10;
  for (let i = 0; i < 100_000; i++) v = [v];
  assert.equal(holdsNonFiniteNumber(v), true);
});
