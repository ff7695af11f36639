// The rules without anchors share one expression (their alternation): every offset where a rule's
// own expression matches must be among its hits, so each rule finds its matches there, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileRule } from '../../src/mask/compiled-rules.js';
import { BUILTIN_RULES } from '../../src/mask/index.js';
import { customRule } from '../../src/mask/rule-set.js';
import { UnanchoredSearch } from '../../src/mask/unanchored-search.js';

const rules = [
  ...BUILTIN_RULES.filter((r) => r.anchors === undefined && r.engine === undefined),
  customRule({ id: 'employee-id', pattern: 'EMP-(\\d{6})', group: 1 }),
  // Matches inside the others' matches: the hits must not skip past a match.
  customRule({ id: 'four-digits', pattern: '\\d{4}' }),
  // The same pattern under another id (one alternative for both) and a named group made plain.
  { ...BUILTIN_RULES.find((r) => r.id === 'card-number')!, id: 'card-copy' },
  customRule({ id: 'employee-copy', pattern: 'EMP-(\\d{6})', group: 1 }),
].map(compileRule);

/** Offsets where the rule's own expression matches, searching from each offset after the last. */
function own(source: string, text: string, from: number): number[] {
  const re = new RegExp(source, 'g');
  const out: number[] = [];
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m.index);
    re.lastIndex = m.index + 1;
  }
  return out;
}

function viaUnion(search: UnanchoredSearch, sticky: RegExp, text: string, from: number): number[] {
  const out: number[] = [];
  for (let at = search.next(text, from); at >= 0; at = search.next(text, at + 1)) {
    sticky.lastIndex = at;
    if (sticky.exec(text) !== null) out.push(at);
  }
  return out;
}

test('each rule without an anchor finds its own matches at the shared hits', () => {
  const search = new UnanchoredSearch(rules.map((c) => c.rule.pattern));
  const piece = fc.constantFrom(
    ...'0123456789 -.+()',
    '4111111111111111',
    '415-555-2671',
    '(415) 555-2671',
    '+44 20 7946 0958',
    '123-45-6789',
    'DE89370400440532013000',
    'GB82 WEST 1234 5698 7654 32',
    'EMP-123456',
    '192.168.0.1',
    'x',
    'AB',
    '\n',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(), (parts, seed) => {
      const text = parts.join('');
      const from = seed % (text.length + 1);
      for (const c of rules) {
        assert.deepEqual(viaUnion(search, c.sticky, text, from), own(c.sticky.source, text, from), c.rule.id);
      }
    }),
    { numRuns: 2000 },
  );
});

test('a pattern with a back-reference is refused rather than joined (it would point at another rule)', () => {
  assert.throws(() => new UnanchoredSearch(['\\d{4}', '(a)\\1']), /back-references/);
  assert.throws(() => new UnanchoredSearch(['(?<d>[A-Z]{2})-\\k<d>']), /back-references/);
  assert.doesNotThrow(() => new UnanchoredSearch(['\\\\1', '[\\d]{2}']));
});
