// The pieces parallel verification is built from, against plain references: a batch's Merkle
// subtrees land a CompactRange where appending its leaves one by one does, and packed rows come
// back exactly as they went (any text, null or not).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RawEventRow } from '../../src/core/ports.js';
import { CompactRange, leafTextFromHex } from '../../src/ledger/merkle.js';
import { MerklePieces } from '../../src/ledger/merkle-pieces.js';
import { packRows, unpackRows } from '../../src/ledger/packed-rows.js';

test('a run of leaves as subtrees: the same roots as appending them one by one, at every size inside', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 0, max: 130 }),
      fc.nat(),
      (start, n, pick) => {
        const hashes = Array.from({ length: start + n }, () => randomBytes(32).toString('hex'));
        const oneByOne = new CompactRange();
        for (const h of hashes.slice(0, start)) oneByOne.appendEventHash(h);
        const before = oneByOne.clone();
        const pieces = new MerklePieces(
          start,
          hashes.slice(start).map((h) => leafTextFromHex(h)!),
        );
        assert.equal(pieces.end, start + n);
        const end = start + (n === 0 ? 0 : pick % (n + 1));
        for (const h of hashes.slice(start, end)) oneByOne.appendEventHash(h);
        const joined = before.clone();
        for (const subtree of pieces.subtrees(end)) joined.appendSubtree(subtree);
        assert.equal(joined.size, end);
        assert.equal(joined.rootHex(), oneByOne.rootHex(), `start ${start}, end ${end}`);
        // The range goes on growing leaf by leaf after the subtrees.
        joined.appendEventHash(hashes[0] ?? 'ab'.repeat(32));
        oneByOne.appendEventHash(hashes[0] ?? 'ab'.repeat(32));
        assert.equal(joined.rootHex(), oneByOne.rootHex());
      },
    ),
    { numRuns: 300 },
  );
});

test('a subtree that is not aligned where the range ends is refused', () => {
  const range = new CompactRange();
  range.appendEventHash('ab'.repeat(32));
  assert.throws(() => range.appendSubtree({ root: 'x'.repeat(32), height: 1 }), RangeError);
});

/** Any UTF-16 code units, lone surrogates included: strings are cut back out by length. */
const codeUnit = fc.nat({ max: 0xffff }).map((c) => String.fromCharCode(c));
const text = fc.string({ unit: codeUnit, maxLength: 40 });
const rowArb: fc.Arbitrary<RawEventRow> = fc.record({
  index: fc.nat(),
  sessionId: text,
  seq: fc.oneof(fc.nat(), fc.double()),
  type: text,
  time: text,
  connection: text,
  subject: fc.option(text),
  identity: text,
  payload: fc.option(fc.string({ unit: codeUnit, maxLength: 300 })),
  payloadHash: text,
  prevHash: text,
  hash: text,
});

test('packed rows come back as they went, and rows with something else than text come back as null', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(rowArb, fc.boolean())), fc.nat(), (specs, start) => {
      const rows = specs.map(([row, odd]) =>
        odd ? ({ ...row, payload: Buffer.from('blob') } as unknown as RawEventRow) : row,
      );
      const back = unpackRows(packRows(rows), start);
      assert.equal(back.length, rows.length);
      back.forEach((row, i) => {
        if (specs[i]![1]) assert.equal(row, null);
        else assert.deepEqual(row, { ...rows[i]!, index: start + i });
      });
    }),
    { numRuns: 300 },
  );
});
