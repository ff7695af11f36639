import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ScreenLine } from './screen-line.js';

const shown = (...writes: string[]) => {
  const s = new ScreenLine();
  for (const w of writes) s.write(w);
  return s.text;
};

test('the line as a line editor redraws it', () => {
  assert.equal(shown('$ ls\b\bcat'), '$ cat');
  assert.equal(shown('$ echo hello\x1b[5D\x1b[K'), '$ echo');
  assert.equal(shown('$ rm -rf /tmp\r$ ls'), '$ ls -rf /tmp', 'a carriage return only moves the cursor');
  assert.equal(shown('$ rm -rf /tmp\r\x1b[K$ ls'), '$ ls');
  assert.equal(shown('$ abcd\x1b[3D\x1b[2P'), '$ ad');
  assert.equal(shown('$ ad\x1b[1D\x1b[2@bc'), '$ abcd');
  assert.equal(shown('old\r\nnew'), 'new');
  assert.equal(shown('\x1b]0;title\x07$ \x1b[01;32mls\x1b[0m'), '$ ls', 'titles and colours are not text');
});

test('what was written since a mark, for echo detection', () => {
  const s = new ScreenLine();
  s.write('Password: ');
  s.mark();
  assert.equal(s.writtenSinceMark, '');
  s.write('\x1b[31mab\x1b[0m');
  assert.equal(s.writtenSinceMark, 'ab');
});

test('the same line however the output is split, at every character', () => {
  const pieceArb = fc.oneof(
    fc.string({ maxLength: 5 }),
    fc.constantFrom(
      '\b',
      '\r',
      '\n',
      '\x1b[K',
      '\x1b[3D',
      '\x1b[2C',
      '\x1b[P',
      '\x1b[4@',
      '\x1b]2;t\x07',
      '\x1b[1;31m',
    ),
  );
  fc.assert(
    fc.property(fc.array(pieceArb, { maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      const whole = shown(text);
      for (let cut = 0; cut <= text.length; cut++)
        assert.equal(shown(text.slice(0, cut), text.slice(cut)), whole);
    }),
  );
});

test('bounded: a very long line keeps at most its limit', () => {
  const s = new ScreenLine(100);
  s.write('x'.repeat(10_000));
  assert.equal(s.text.length, 100);
});
