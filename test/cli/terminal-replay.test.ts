// Someone who drives a host through Vigil chooses how its output is chunked into recorded frames
// (`printf '\e'; sleep 1; printf ']52;c;…\a'`) and may spell a control string in 8-bit form. Either
// way `vigil replay` must not hand the reviewer's terminal a control string that acts outside the
// screen: an OSC 52 clipboard write (pasted later into a shell), a hyperlink, a title, a DCS request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ScreenOnlyOutput } from '../../src/cli/screen-only-output.js';
import { playRecording } from '../../src/cli/terminal-replay.js';
import type { TerminalRecording } from '../../src/core/terminal-recording.js';

function recording(
  chunks: readonly string[],
  commands: TerminalRecording['commands'] = [],
): TerminalRecording {
  return {
    width: 80,
    height: 24,
    term: 'xterm',
    startedAt: new Date(0).toISOString(),
    frames: chunks.map((data, i) => [i * 0.01, 'o', data]),
    commands,
  };
}

async function played(
  chunks: readonly string[],
  atCommand: number | null = null,
  commands: TerminalRecording['commands'] = [],
) {
  let out = '';
  await playRecording(recording(chunks, commands), {
    speed: 1,
    skipIdle: null,
    atCommand,
    write: (text) => {
      out += text;
    },
    sleep: async () => {},
  });
  return out;
}

const CLIPBOARD = 'ZWNobyBwd25lZCB8IHNo';

/**
 * A terminal's parser as far as control strings go (ECMA-48 and the DEC parser xterm follows),
 * written apart from the filter: after ESC, C0 controls are carried out and the escape goes on, ESC
 * starts it again, CAN and SUB cancel it, and ] P _ ^ X (and screen's k) open a string; the 8-bit
 * introducers open one anywhere. Returns the offset where a string would open, or -1.
 */
function opensControlString(output: string): number {
  let inEscape = false;
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!;
    if ('\u0090\u0098\u009d\u009e\u009f'.includes(c)) return i;
    if (!inEscape) {
      inEscape = c === '\x1b';
      continue;
    }
    if (']P_^Xk'.includes(c)) return i;
    if (c === '\x18' || c === '\x1a') inEscape = false;
    else if (c === '\x1b' || c < ' ' || c === '\x7f') inEscape = true;
    else inEscape = false;
  }
  return -1;
}

test('a control string split from its introducer across frames is not written', async () => {
  for (const chunks of [
    ['ls\r\n\x1b', `]52;c;${CLIPBOARD}\x07done\r\n`],
    ['ls\r\n\x1b', `]8;;https://evil.example/\x1b\\click\x1b`, ']8;;\x1b\\ done\r\n'],
    ['\x1b', 'P+q544e\x1b\\done\r\n'],
    ['\x1b]52;c;', CLIPBOARD, '\x07done\r\n'],
    // A control character between ESC and ] is carried out by the terminal, and the OSC still opens.
    [`\x1b\r]52;c;${CLIPBOARD}\x07done\r\n`],
    ['\x1b\x1b', `]52;c;${CLIPBOARD}\x07done\r\n`],
    // GNU screen's and tmux's window name.
    ['\x1bk', `${CLIPBOARD}\x1b\\done\r\n`],
  ]) {
    const out = await played(chunks);
    assert.equal(opensControlString(out), -1, `${JSON.stringify(chunks)} wrote ${JSON.stringify(out)}`);
    assert.ok(!out.includes(CLIPBOARD), `the clipboard payload stays out: ${JSON.stringify(out)}`);
    assert.ok(!out.includes('evil.example'), `the link target stays out: ${JSON.stringify(out)}`);
    assert.ok(out.includes('done'), `what follows the string is played: ${JSON.stringify(out)}`);
  }
});

test('8-bit control strings (OSC, DCS, APC) and other C1 controls are not written', async () => {
  const out = await played([`a\u009d52;c;${CLIPBOARD}\u0007b \u0090$q"p\u009c c \u009f x\u009c d\u009b2J`]);
  assert.doesNotMatch(out, /[\u0080-\u009f]/);
  assert.ok(!out.includes(CLIPBOARD));
  assert.equal(out, 'ab  c  d2J');
});

test('what acts on the screen plays as recorded', async () => {
  const screen = '\x1b[2J\x1b[H\x1b[31mred\x1b[0m \x1b[?1049h\x1b(B\x1b7\x1b8\r\nnext\x08\t\x07';
  assert.equal(await played([screen]), screen);
  assert.equal(await played(['\x1b[3', '1mred\x1b', '[0m']), '\x1b[31mred\x1b[0m');
});

test('a command line shown before playing from it is inert', async () => {
  const out = await played(['x'], 1, [{ t: 0, command: 'id \u009b2J\u009d0;t\u0007 \u202eok', seq: 3 }]);
  const header = out.slice(out.indexOf('-- command'));
  assert.doesNotMatch(header, /[\u0080-\u009f\u202e]/);
});

test('property: however the output is split into frames, the same text reaches the terminal, and no control string', () => {
  const piece = fc.constantFrom(
    '\x1b',
    'k',
    ']',
    'P',
    '\\',
    '\x07',
    '\u009d',
    '\u009c',
    '[',
    '0',
    ';',
    'a',
    '\r\n',
    '\r',
    '\x7f',
    '(',
    '\x18',
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }),
      fc.array(fc.nat(40), { maxLength: 6 }),
      (pieces, cuts) => {
        const text = pieces.join('');
        const whole = new ScreenOnlyOutput().push(text);
        const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
        const split = new ScreenOnlyOutput();
        let out = '';
        let from = 0;
        for (const p of [...points, text.length]) {
          out += split.push(text.slice(from, p));
          from = p;
        }
        assert.equal(out, whole);
        assert.equal(opensControlString(whole), -1, JSON.stringify(whole));
      },
    ),
    { numRuns: 5000 },
  );
});
