// The known secrets' search (indexOf per literal, or one expression of many) must find what one
// expression of all the literals finds: the leftmost occurrence, the longest literal there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SHORT_TEXT } from '../../src/mask/anchor-search.js';
import { LiteralSearch } from '../../src/mask/literal-search.js';
import { literalTrie } from '../../src/mask/regex-text.js';

function expected(literals: readonly string[], text: string, from: number): [number, string][] {
  const re = new RegExp(literalTrie([...literals].sort((a, b) => b.length - a.length)), 'g');
  const out: [number, string][] = [];
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push([m.index, m[0]]);
    re.lastIndex = m.index + 1;
  }
  return out;
}

function found(search: LiteralSearch, text: string, from: number): [number, string][] {
  const out: [number, string][] = [];
  for (let at = search.next(text, from); at >= 0; at = search.next(text, at + 1))
    out.push([at, search.literal()]);
  return out;
}

for (const [name, max] of [
  ['a few literals (indexOf)', 6],
  ['many literals (one expression)', 40],
] as const) {
  test(`literal search with ${name} equals one expression of them`, () => {
    const unit = fc.constantFrom('a', 'b', 'c', 'ab', 'abc');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: max }),
        fc.string({ unit, maxLength: 80 }),
        fc.nat(),
        (literals, text, seed) => {
          const search = new LiteralSearch(literals);
          // Short texts are read by the expression, long ones by indexOf: both, with padding.
          for (const t of [text, `${'z'.repeat(SHORT_TEXT)}${text}`]) {
            const from = seed % (t.length + 1);
            assert.deepEqual(found(search, t, from), expected(literals, t, from));
            // Asked again (cached positions) and on another text, the answers hold.
            assert.deepEqual(found(search, t, from), expected(literals, t, from));
            assert.deepEqual(found(search, `x${t}`, 0), expected(literals, `x${t}`, 0));
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
}
