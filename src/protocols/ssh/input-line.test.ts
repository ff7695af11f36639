import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputLine, wasEchoed } from './input-line.js';

/** Feeds keystrokes (with no Enter) in the given pieces; returns the line. */
function typed(pieces: readonly Uint8Array[], max = 4096, bracketedPaste = true): InputLine {
  const line = new InputLine(max);
  line.bracketedPaste = bracketedPaste;
  for (const piece of pieces) {
    const r = line.consume(piece);
    assert.equal(r.enter, false);
    assert.equal(r.used, piece.length);
  }
  return line;
}

const keys = (s: string) => Buffer.from(s, 'utf8');

test('a line is the same however its keystrokes are split, at every byte', () => {
  const keyArb = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 6 }).filter((s) => !/[\r\n\x1b\x00-\x1f\x7f]/.test(s)),
    fc.constantFrom('\x7f', '\x15', '\x17', '\x1b[A', '\x1b[200~a\nb\x1b[201~', '\t', '\x1bOD', 'é', '日本'),
  );
  fc.assert(
    fc.property(fc.array(keyArb, { maxLength: 12 }), (parts) => {
      const stream = keys(parts.join(''));
      const whole = typed([stream]);
      for (let cut = 0; cut <= stream.length; cut++) {
        const split = typed([stream.subarray(0, cut), stream.subarray(cut)]);
        assert.equal(split.text, whole.text);
        assert.equal(split.uncertain, whole.uncertain);
        assert.equal(split.typedBytes, stream.length);
      }
    }),
  );
});

test('editing keys the guard can follow: backspace, ^U, ^W', () => {
  assert.equal(typed([keys('lx\x7fs -l')]).text, 'ls -l');
  assert.equal(typed([keys('rm -rf /\x15echo hi')]).text, 'echo hi');
  assert.equal(typed([keys('echo one two\x17three')]).text, 'echo one three');
  assert.equal(typed([keys('ab\x03cd')]).text, 'cd');
  assert.equal(
    typed([Buffer.from([0x63, 0x61, 0x66, 0xc3])]).text,
    'caf',
    'half a character waits for the rest',
  );
});

test('keys only the host can follow make the line uncertain', () => {
  for (const k of ['ls\t', '\x1b[A', 'x\x1b[D', '\x12rm', '\x01', '\x1bb']) {
    assert.equal(typed([keys(k)]).uncertain, true, JSON.stringify(k));
  }
  assert.equal(typed([keys('echo plain')]).uncertain, false);
});

test('Enter ends a line, except inside a bracketed paste, where newlines belong to the line', () => {
  const line = new InputLine(4096);
  assert.deepEqual(line.consume(keys('ls\rpwd\r')), { used: 2, enter: true });
  const paste = new InputLine(4096);
  paste.bracketedPaste = true;
  const chunk = keys('\x1b[200~ls\nrm -rf /\x1b[201~\r');
  const r = paste.consume(chunk);
  assert.equal(r.enter, true);
  assert.equal(r.used, chunk.length - 1);
  assert.equal(paste.text, 'ls\nrm -rf /');
  assert.equal(paste.uncertain, false);
});

test('a line longer than the limit is kept as overflow', () => {
  const line = typed([keys('a'.repeat(5000))], 4096);
  assert.equal(line.overflow, true);
  assert.equal(line.text.length, 4096);
});

test('echo is seen when the last typed characters appear on the terminal', () => {
  assert.equal(wasEchoed('ls -l', 'prompt$ ls -l'), true);
  assert.equal(wasEchoed('S3cr3t', ''), false);
  assert.equal(wasEchoed('S3cr3t', '\r\n'), false);
  assert.equal(wasEchoed('', ''), true, 'nothing typed, nothing hidden');
});

test('^J and ^O run the line as Enter does (^O is bash operate-and-get-next): each is held', () => {
  for (const key of ['\n', '\x0f']) {
    const line = new InputLine(4096);
    assert.deepEqual(line.consume(keys(`rm -rf /${key}ls`)), { used: 8, enter: true }, JSON.stringify(key));
    assert.equal(line.text, 'rm -rf /');
  }
});

test('quoted-insert keys (^V, ^Q) make the line uncertain: the key after them is a character to the host', () => {
  for (const k of ['rm x;\x16\x15', 'rm x;\x11\x15']) {
    assert.equal(typed([keys(k)]).uncertain, true, JSON.stringify(k));
  }
});

test('paste markers are a paste only when the host asked for bracketed paste; else its newlines are Enters', () => {
  const asked = new InputLine(4096);
  asked.bracketedPaste = true;
  const chunk = keys('\x1b[200~\rtouch x\r\x1b[201~');
  assert.deepEqual(asked.consume(chunk), { used: chunk.length, enter: false });
  const unasked = new InputLine(4096);
  const r = unasked.consume(chunk);
  assert.deepEqual(r, { used: 6, enter: true }, 'the first newline after the marker is an Enter');
  assert.equal(unasked.uncertain, true, 'the stray marker is a key only the host can follow');
});

test('inside a bracketed paste, ^U, ^C, ^W and backspace are characters of the line, not edits', () => {
  const line = typed([keys('\x1b[200~rm -rf /;\x15\x03\x17\x7f\x1b[201~')]);
  assert.equal(line.text, 'rm -rf /;\x15\x03\x17\x7f');
  assert.equal(line.abandoned, false);
  assert.equal(line.printable, 'rm -rf /;', 'control characters are not what an echo shows');
});

test('^C marks the line abandoned (the shell drops a statement it held open)', () => {
  assert.equal(typed([keys('echo \x03ls')]).abandoned, true);
  assert.equal(typed([keys('echo ls')]).abandoned, false);
});

test('^X^E (edit-and-execute-command) is reported at its ^E, which is not taken as typing', () => {
  const line = new InputLine(4096);
  assert.deepEqual(line.consume(keys('rm -rf /\x18\x05')), {
    used: 9,
    enter: false,
    runsUnseen: 'edit-and-execute-command',
  });
  assert.equal(line.uncertain, true);
  const other = new InputLine(4096);
  assert.deepEqual(
    other.consume(keys('ls\x18\x15\x05')),
    { used: 5, enter: false },
    '^X^U then ^E is no such key',
  );
});

test('keys that run the line with no Enter are reported at their last byte, in any split', () => {
  const cases: readonly [string, Uint8Array, number][] = [
    ['call-last-kbd-macro', keys('rm -rf /\x18e'), 9],
    ['call-last-kbd-macro', keys('rm -rf /\x18E'), 9],
    ['insert-comment', keys('#rm -rf /\x1b1\x1b#'), 12],
    // M-1 M-# as 8-bit Meta keys (bash in the C locale): bytes that are no UTF-8 character.
    ['insert-comment', Buffer.from([0x23, 0x72, 0x6d, 0xb1, 0xa3]), 4],
  ];
  for (const [key, stream, at] of cases) {
    for (let cut = 0; cut <= at; cut++) {
      const line = new InputLine(4096);
      const first = line.consume(stream.subarray(0, cut));
      assert.equal(first.runsUnseen, undefined);
      const second = line.consume(stream.subarray(cut));
      assert.deepEqual(second, { used: at - cut, enter: false, runsUnseen: key }, `${key} split at ${cut}`);
    }
  }
  // The same bytes as text: a pasted ESC #, and '£', 'ã' and 'ร' (E0 B8 A3) typed in a UTF-8 terminal.
  typed([keys('\x1b[200~a\x1b#b\x1b[201~')]);
  assert.equal(typed([keys('echo £ ã ร')]).text, 'echo £ ã ร');
});

test('^], ^_, ^S and bytes that are not UTF-8 (8-bit Meta keys) make the line uncertain', () => {
  for (const key of ['\x1d', '\x1f', '\x13']) {
    assert.equal(typed([keys(`rm -rf /${key}x`)]).uncertain, true, JSON.stringify(key));
  }
  // 0xAE is M-. (yank-last-arg) to bash in the C locale.
  assert.equal(typed([Buffer.from([0x72, 0x6d, 0x20, 0xae])]).uncertain, true);
  assert.equal(typed([keys('echo é 日本')]).uncertain, false);
});

test('a control key ends an escape sequence cut short: ESC then Enter is an Enter (vi mode runs the line)', () => {
  for (const [stream, at] of [
    ['rm -rf /\x1b\r', 9],
    ['rm -rf /\x1b[\n', 10],
    ['rm -rf /\x1bO\x0f', 10],
  ] as const) {
    const line = new InputLine(4096);
    assert.deepEqual(line.consume(keys(stream)), { used: at, enter: true }, JSON.stringify(stream));
    assert.equal(line.uncertain, true);
  }
  // ESC ^X ^E is still the editor key: the ^X counts as itself.
  assert.equal(new InputLine(4096).consume(keys('ls\x1b\x18\x05')).runsUnseen, 'edit-and-execute-command');
  // A NUL in a paste cuts or vanishes from the line editor's buffer: read from the screen.
  assert.equal(typed([keys('\x1b[200~rm -rf /\0x\x1b[201~')]).uncertain, true);
});

test('^D on a line that is not empty is held as a key that runs it (dash runs a line ^D handed it); on an empty one it passes', () => {
  const line = new InputLine(4096);
  assert.deepEqual(line.consume(keys('touch x\x04')), { used: 7, enter: true });
  assert.equal(line.text, 'touch x');
  line.reset();
  assert.deepEqual(line.consume(keys('\x04')), { used: 1, enter: false });
  // A line recalled from history is not empty, though its keys say nothing: held too.
  line.reset();
  assert.deepEqual(line.consume(keys('\x1b[A\x04')), { used: 3, enter: true });
  // Inside a bracketed paste a ^D is a character of the line.
  line.reset();
  line.bracketedPaste = true;
  assert.equal(line.consume(keys('\x1b[200~a\x04b\x1b[201~')).enter, false);
});
