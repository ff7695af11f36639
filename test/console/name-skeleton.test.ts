// The skeleton the console compares names by (web/src/name-skeleton.ts): names written with ASCII
// look-alikes (`aIice`, `rnallory`, `b0b`, `vvendy`, `c1are`) share one skeleton with the name they
// read as; names of no look-alike character keep their own, so ordinary names stay apart. And the
// page's set of shown names (web/src/shown-names.ts) answers, for each name, the others that read
// the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nameSkeleton, namesLookAlike } from '../../web/src/name-skeleton.js';
import { ShownNames } from '../../web/src/shown-names.js';

/** Ways to write one letter so that it reads the same, in ASCII. */
const CLASSES: readonly (readonly string[])[] = [
  ['l', 'L', 'I', '1', '|'],
  ['o', 'O', '0'],
  ['m', 'M', 'rn', 'rN', 'Rn', 'RN'],
  ['w', 'W', 'vv', 'vV', 'Vv', 'VV'],
  ['d', 'D', 'cl', 'cI', 'c1', 'Cl', 'C|'],
];
/** Characters that take part in no look-alike: each reads as only itself (case aside). */
const PLAIN = [...'abefghjkpqstuxyz23456789-_.@'];

/** A name as a list of pieces: a plain character, or a class to be written one of its ways. */
const pieces = fc.array(
  fc.oneof(
    fc.constantFrom(...PLAIN).map((c) => ({ plain: c })),
    fc.nat(CLASSES.length - 1).map((k) => ({ klass: k })),
  ),
  { minLength: 1, maxLength: 16 },
);

/** Writes the pieces, each class the way `choose` picks, each plain letter in either case. */
function write(
  name: readonly ({ plain: string } | { klass: number })[],
  choose: (n: number, i: number) => number,
): string {
  return name
    .map((p, i) => {
      if ('plain' in p) return choose(2, i) === 0 ? p.plain : p.plain.toUpperCase();
      const ways = CLASSES[p.klass]!;
      return ways[choose(ways.length, i)]!;
    })
    .join('');
}

test('the names of the brief read as the names they imitate', () => {
  for (const [a, b] of [
    ['aIice', 'alice'],
    ['a1ice', 'alice'],
    ['rnallory', 'mallory'],
    ['b0b', 'bob'],
    ['vvendy', 'wendy'],
    ['c1are', 'dare'],
    ['Audrey', 'audrey'],
    ['svc-etI', 'svc-et1'],
  ] as const) {
    assert.equal(nameSkeleton(a), nameSkeleton(b), `${a} ~ ${b}`);
    assert.ok(namesLookAlike(a, b));
  }
  assert.ok(!namesLookAlike('alice', 'alice'), 'a name does not look like itself');
  for (const [a, b] of [
    ['alice', 'bob'],
    ['alice', 'alicia'],
    ['etl', 'et'],
    ['ian', 'lan'],
  ] as const) {
    assert.ok(!namesLookAlike(a, b), `${a} and ${b} are told apart`);
  }
  // Outside ASCII nothing is mapped: the name holding `а` (Cyrillic) is marked on its own (name-scripts.ts).
  assert.equal(nameSkeleton('\u0430lice'), '\u0430lice');
  assert.equal(nameSkeleton('\u0421\u0435\u0440\u0433\u0435\u0439'), '\u0421\u0435\u0440\u0433\u0435\u0439');
});

test('every way of writing a name has one skeleton', () => {
  fc.assert(
    fc.property(pieces, fc.infiniteStream(fc.nat()), fc.infiniteStream(fc.nat()), (name, one, two) => {
      const a = [...one.take(name.length)];
      const b = [...two.take(name.length)];
      const first = write(name, (n, i) => a[i]! % n);
      const second = write(name, (n, i) => b[i]! % n);
      assert.equal(nameSkeleton(first), nameSkeleton(second), `${first} ~ ${second}`);
    }),
    { numRuns: 500 },
  );
});

test('the skeleton is idempotent, and a name of plain lower-case letters is its own', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: fc.constantFrom(...'rnvcl1I|0OoRNVCLdmw a'), maxLength: 24 }), fc.string()),
      (name) => {
        const skeleton = nameSkeleton(name);
        assert.equal(nameSkeleton(skeleton), skeleton);
      },
    ),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PLAIN), { maxLength: 20 }), (chars) => {
      const name = chars.join('');
      assert.equal(nameSkeleton(name), name);
    }),
  );
});

test('names that differ in a plain character never look alike', () => {
  fc.assert(
    fc.property(
      pieces,
      fc.nat(),
      fc.constantFrom(...PLAIN),
      fc.infiniteStream(fc.nat()),
      (name, at, other, ways) => {
        const i = at % name.length;
        const changed = name.map((p, j) => (j === i ? { plain: other } : p));
        const original = name[i]!;
        fc.pre(!('plain' in original) || original.plain !== other);
        const chosen = [...ways.take(name.length)];
        const choose = (n: number, j: number) => chosen[j]! % n;
        assert.ok(!namesLookAlike(write(name, choose), write(changed, choose)));
      },
    ),
    { numRuns: 500 },
  );
});

test('the page answers the other names shown that look alike, while they are shown', async () => {
  const shown = new ShownNames();
  let heard = 0;
  shown.subscribe(() => heard++);
  const alice = shown.add('alice');
  const impostor = shown.add('aIice');
  const again = shown.add('aIice');
  shown.add('bob');
  await Promise.resolve();
  assert.equal(heard, 1, 'listeners hear of a batch of names once');
  assert.deepEqual(shown.lookAlikesOf('alice'), ['aIice']);
  assert.deepEqual(shown.lookAlikesOf('aIice'), ['alice']);
  assert.deepEqual(shown.lookAlikesOf('bob'), []);
  impostor();
  impostor();
  assert.deepEqual(shown.lookAlikesOf('alice'), ['aIice'], 'still drawn in another place');
  again();
  assert.deepEqual(shown.lookAlikesOf('alice'), []);
  alice();
  assert.deepEqual(shown.lookAlikesOf('a1ice'), []);
});
