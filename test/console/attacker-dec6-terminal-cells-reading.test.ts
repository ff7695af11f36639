// The player's reading of zero-width characters (web/src/terminal-cells.ts): zero-width format
// characters are taken out of the output, a printed character keeps at most four marks however the
// run is split (across frames, around escape sequences and controls), escape sequences and every
// other character pass unchanged, and the cast stays valid asciicast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { withTerminalCells } from '../../web/src/terminal-cells.js';

const HEADER = JSON.stringify({ version: 2, width: 80, height: 24 });
const castOf = (frames: readonly (readonly [number, string, string])[]) =>
  [HEADER, ...frames.map((f) => JSON.stringify(f))].join('\n');
const outputOf = (cast: string) =>
  cast
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l) as [number, string, string])
    .filter((f) => f[1] === 'o')
    .map((f) => f[2])
    .join('');

test('ordinary output, accents and escape sequences pass unchanged', () => {
  const frames = [
    [0.1, 'o', 'Tiếng Việt e\u0301\u0323 नमस्ते \u001b[31mred\u001b[0m\r\n'],
    [0.2, 'o', '\u001b]0;title\u0007\u001b]8;;https://x\u001b\\link\u001b]8;;\u001b\\ 中😀\r\n'],
    [0.3, 'r', '100x30'],
  ] as const;
  assert.equal(withTerminalCells(castOf(frames)), castOf(frames));
});

test('a run of marks keeps four on its letter, split across frames or by escapes and controls', () => {
  const mark = '\u0333';
  const frames = [
    [0.1, 'o', `A${mark.repeat(3)}`],
    [0.2, 'o', `${mark}\u001b[m${mark.repeat(3)}\u0007${mark}`],
    [0.3, 'o', `\u001b]0;${mark}\u0007${mark} after`],
  ] as const;
  assert.equal(
    outputOf(withTerminalCells(castOf(frames))),
    `A${mark.repeat(4)}\u001b[m\u0007\u001b]0;${mark}\u0007 after`,
  );
});

test('zero-width format characters are taken out; every other character stays', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(fc.string(), fc.constantFrom('\u200B', '\u2060', '\uFEFF', '\u200D', '\u{E0041}', 'x')),
        {
          maxLength: 40,
        },
      ),
      (pieces) => {
        const text = pieces.join('');
        const out = outputOf(withTerminalCells(castOf([[0.1, 'o', text]])));
        const invisible = /\u200B|\u2060|\uFEFF|\u200D|\u{E0041}/gu;
        assert.doesNotMatch(out, invisible);
        assert.equal(out, text.replace(invisible, ''));
      },
    ),
  );
});

test('no printed character carries more than four marks, whatever the output', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', '\u0333', '\u0301', '\u20DD', '\u001b[m', '\u0007', '\n', '\u200B'), {
        maxLength: 200,
      }),
      (pieces) => {
        const out = outputOf(withTerminalCells(castOf([[0.1, 'o', pieces.join('')]])));
        const printed = out.replace(/\u001b\[m|[\u0007\n]/g, '');
        assert.doesNotMatch(printed, /[\p{Mn}\p{Me}]{5}/u);
      },
    ),
  );
});
