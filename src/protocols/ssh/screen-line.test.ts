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

test('new lines are counted: line feeds and full-screen redraws, not what escapes hold', () => {
  const s = new ScreenLine();
  s.write('$ sleep 9^C');
  assert.equal(s.linesStarted, 0);
  s.write('\r\n\x1b]0;t\n\x07$ ');
  assert.equal(s.linesStarted, 1, 'a line feed inside a title is not one');
  assert.equal(s.text, '$');
  s.write('\x1b[24;1HType  :qa!  and press <Enter>');
  assert.equal(s.linesStarted, 2, 'a full-screen program moving the cursor starts a line');
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

test('bracketed paste is on between the host asking for it (ESC[?2004h) and turning it off', () => {
  const s = new ScreenLine();
  assert.equal(s.bracketedPaste, false);
  s.write('\x1b[?2004h$ ');
  assert.equal(s.bracketedPaste, true);
  assert.equal(s.text, '$', 'the mode switch is not text');
  s.write('ls\r\n\x1b[?2004l\r');
  assert.equal(s.bracketedPaste, false);
  s.write('\x1b[?1049;2004h');
  assert.equal(s.bracketedPaste, true, 'among other modes in one sequence');
  s.write('\x1b[?25l');
  assert.equal(s.bracketedPaste, true, 'other modes leave it alone');
});
