// The anchor search (two expressions merged by offset) must report every offset where one
// expression of all literals, ignoring case, finds a literal that a rule there can accept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SHORT_TEXT } from '../../src/mask/anchor-search.js';
import { anchorFamily, compileRule } from '../../src/mask/compiled-rules.js';
import { BUILTIN_RULES } from '../../src/mask/index.js';
import { literalTrie } from '../../src/mask/regex-text.js';

const compiled = BUILTIN_RULES.filter((r) => r.engine === undefined).map(compileRule);
const family = anchorFamily(compiled.flatMap((c) => (c.rule.anchors ?? []).map((anchor) => ({ c, anchor }))));
const roots = [...family.byAnchor!.keys()];

/** Offsets where the single case-insensitive expression hits and some rule's case matches there. */
function expected(text: string, from: number): [number, string][] {
  const re = new RegExp(literalTrie(roots, true), 'gi');
  const out: [number, string][] = [];
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const root = m[0].toLowerCase();
    const rules = family.byAnchor!.get(root)!;
    if (rules.some((r) => r.exact === null || r.exact.some((l) => text.startsWith(l, m.index))))
      out.push([m.index, root]);
    re.lastIndex = m.index + 1;
  }
  return out;
}

function found(text: string, from: number): [number, string][] {
  const search = family.anchors!;
  const out: [number, string][] = [];
  for (let at = search.next(text, from); at >= 0; at = search.next(text, at + 1)) {
    const root = search.root();
    const rules = family.byAnchor!.get(root)!;
    if (rules.some((r) => r.exact === null || r.exact.some((l) => text.startsWith(l, at))))
      out.push([at, root]);
  }
  return out;
}

const literals = [...new Set(BUILTIN_RULES.flatMap((r) => (r.anchors ?? []).flatMap((a) => a.literals)))];

test('the anchor search finds every literal a rule can accept, in order, as one expression does', () => {
  const piece = fc.oneof(
    fc.constantFrom(...literals),
    fc.constantFrom(...literals).map((l) => l.toUpperCase()),
    fc.constantFrom(...literals).map((l) => l.toLowerCase()),
    fc.constantFrom(
      'g',
      's',
      'r',
      'x',
      'gl',
      'sk',
      'SK',
      '-',
      '_',
      '=',
      ' ',
      '\n',
      'k',
      'K',
      'hp',
      'e',
      'A',
      'xox',
      'soa',
      'github',
      '--',
      '-----',
    ),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.nat(), (parts, seed) => {
      // Short texts are searched by one expression; long ones by two: both, with padding.
      for (const text of [parts.join(''), `${' '.repeat(SHORT_TEXT)}${parts.join('')}`]) {
        const from = seed % (text.length + 1);
        assert.deepEqual(found(text, from), expected(text, from));
      }
    }),
    { numRuns: 3000 },
  );
});

test('the anchor search gives the same answers when asked again from other offsets of the same text', () => {
  const text = `${' '.repeat(SHORT_TEXT)}x ghp_ y AKIA z sk_live_ password= sk-ant- xoxb- @ :// eyJ -----BEGIN hf_ npm_ glpat-`;
  const search = family.anchors!;
  const first = found(text, 0);
  for (let from = text.length; from >= 0; from--) {
    const at = search.next(text, from);
    const want = first.find(([p]) => p >= from);
    if (want === undefined) assert.ok(at < 0 || !first.some(([p]) => p === at));
    else assert.ok(at >= 0 && at <= want[0]);
  }
  assert.deepEqual(found(text, 0), first);
});
