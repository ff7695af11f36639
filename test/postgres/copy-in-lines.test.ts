// The splitter that cuts COPY FROM STDIN data into the lines the server reads (copy-in-lines.ts):
// whatever CopyData boundaries a client chooses, at every byte, the lines are the same, and they
// are the rows that were encoded (text escapes, csv quotes with newlines inside, CRLF, the `\.`
// end marker). Property-based, with fast-check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CopyInLines, type CopyLine, MAX_HELD_LINE } from '../../src/protocols/postgres/copy-in-lines.js';

const CSV = { csv: { quote: 0x22, escape: 0x22 } } as const;
const TEXT = { csv: null } as const;

function lines(syntax: typeof CSV | typeof TEXT, chunks: readonly Buffer[], hold = () => true): CopyLine[] {
  const out: CopyLine[] = [];
  const splitter = new CopyInLines(syntax, hold, (l) => out.push(Buffer.isBuffer(l) ? Buffer.from(l) : l));
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return out;
}

/** Every way of cutting `data` in two, and in single bytes. */
function splits(data: Buffer): Buffer[][] {
  const out: Buffer[][] = [[data], [...data].map((b) => Buffer.from([b]))];
  for (let i = 1; i < data.length; i++) out.push([data.subarray(0, i), data.subarray(i)]);
  return out;
}

const cell = fc.string({
  unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', '\t', '\\', '.', 'é'),
  maxLength: 6,
});
const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 5 });

const textEscape = (s: string): string =>
  s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
const csvQuote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

test('text: the lines are the encoded rows, at every split', () => {
  fc.assert(
    fc.property(rows, fc.boolean(), (rs, crlf) => {
      const encoded = rs.map((r) => r.map(textEscape).join('\t'));
      const data = Buffer.from(encoded.map((l) => `${l}${crlf ? '\r\n' : '\n'}`).join(''));
      for (const chunks of splits(data))
        assert.deepEqual(
          lines(TEXT, chunks).map((l) => (l as Buffer).toString()),
          encoded,
        );
    }),
  );
});

test('csv: quoted fields keep their newlines and quotes, at every split', () => {
  fc.assert(
    fc.property(rows, (rs) => {
      const encoded = rs.map((r) => r.map(csvQuote).join(','));
      const data = Buffer.from(encoded.map((l) => `${l}\n`).join(''));
      for (const chunks of splits(data))
        assert.deepEqual(
          lines(CSV, chunks).map((l) => (l as Buffer).toString()),
          encoded,
        );
    }),
  );
});

test('csv with a backslash ESCAPE: an escaped quote does not end the quoted field', () => {
  const syntax = { csv: { quote: 0x22, escape: 0x5c } } as const;
  const data = Buffer.from('"a\\"\nb",1\n2,"\\\\"\n');
  for (const chunks of splits(data))
    assert.deepEqual(
      lines(syntax as unknown as typeof CSV, chunks).map((l) => (l as Buffer).toString()),
      ['"a\\"\nb",1', '2,"\\\\"'],
    );
});

test('the end marker stops the data, wherever it is cut; a last line needs no newline', () => {
  const data = Buffer.from('1\ta\n\\.\r\n2\tb\n');
  for (const chunks of splits(data)) {
    const got: string[] = [];
    const s = new CopyInLines(
      TEXT,
      () => true,
      (l) => got.push((l as Buffer).toString()),
    );
    for (const c of chunks) s.push(c);
    s.end();
    assert.deepEqual(got, ['1\ta']);
    assert.ok(s.ended);
    assert.equal(s.ignored, '2\tb\n'.length);
  }
  for (const chunks of splits(Buffer.from('1\n2'))) assert.equal(lines(TEXT, chunks).length, 2);
});

test('lines not held, or too long to hold, are reported by size; the marker is still seen', () => {
  const data = Buffer.from('abc\nde\n\\.\nzz\n');
  for (const chunks of splits(data))
    assert.deepEqual(
      lines(TEXT, chunks, () => false),
      [{ bytes: 3 }, { bytes: 2 }],
    );
  const long = Buffer.alloc(MAX_HELD_LINE + 10, 0x61);
  const out = lines(TEXT, [long, Buffer.from('\nok\n')]);
  assert.deepEqual(out[0], { bytes: MAX_HELD_LINE + 10 });
  assert.equal((out[1] as Buffer).toString(), 'ok');
});
