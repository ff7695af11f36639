// The player's reading of colours (web/src/terminal-colours.ts): output without SGR passes unchanged;
// every SGR becomes the whole pen it leaves, starting from a reset, never blinking or concealed, and
// never drawing text in the colour behind it; a sequence split across frames is read as one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ColourReader, withVisibleColours } from '../../web/src/terminal-colours.js';

const ESC = '\u001b';
const HEADER = JSON.stringify({ version: 2, width: 80, height: 24 });

test('output without SGR, other control sequences included, passes unchanged', () => {
  const frames = [
    [0.1, 'o', `plain ${ESC}[2J${ESC}[1;1H${ESC}[K${ESC}[?25l${ESC}]0;title\u0007${ESC}[>4;1m 中😀\r\n`],
    [0.2, 'i', `${ESC}[30;40m typed`],
    [0.3, 'm', `${ESC}[30;40m marker`],
    [0.4, 'r', '100x30'],
  ];
  const cast = [HEADER, ...frames.map((f) => JSON.stringify(f))].join('\n');
  assert.equal(withVisibleColours(cast), cast);
  const text = fc.stringMatching(/^[^\u001b\u009b]*$/);
  fc.assert(fc.property(text, (s) => new ColourReader().filter(s) === s));
});

test('text in the colour behind it is drawn in the default colours; blink and conceal are dropped', () => {
  const cases: [string, string][] = [
    ['30;40', '0'],
    ['38;2;18;19;20', '0'], // the player's background, as a 24-bit colour
    ['38:2::18:19:20', '0'],
    ['7;37;47', '0'], // inverse of two equal colours
    ['38;5;16;48;5;0', '0'], // black of the cube on black of the palette
    ['5;31', '0;31'],
    ['8;32', '0;32'],
    ['2;90', '0;90'], // faint dim grey: the faint is dropped
    ['31', '0;31'],
    ['2;37', '0;2;37'], // faint light grey stays readable
    ['90', '0;90'], // the theme's dim grey, used for suggestions, stays
    ['38;2;200;10;10;48;5;231', '0;38;2;200;10;10;48;5;231'],
    ['', '0'],
  ];
  for (const [given, drawn] of cases) {
    assert.equal(new ColourReader().filter(`${ESC}[${given}mX`), `${ESC}[${drawn}mX`, given);
  }
});

const code = fc.oneof(
  fc.constantFrom('0', '1', '2', '5', '7', '8', '22', '27', '39', '49', ''),
  fc.integer({ min: 30, max: 47 }).map(String),
  fc.integer({ min: 90, max: 107 }).map(String),
  fc.integer({ min: 0, max: 255 }).map((n) => `38;5;${n}`),
  fc.integer({ min: 0, max: 255 }).map((n) => `48;5;${n}`),
  fc
    .tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }))
    .map(([a, b]) => `38;2;${a};${a};${b}`),
);
const sgr = fc.array(code, { maxLength: 6 }).map((codes) => `${ESC}[${codes.join(';')}m`);

test('every SGR out starts from a reset, never blinks or conceals, and never sets equal colours', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(sgr, fc.constantFrom('text', '\r\n', `${ESC}[H`)), { maxLength: 30 }),
      (parts) => {
        const out = new ColourReader().filter(parts.join(''));
        for (const m of out.matchAll(/\u001b\[([0-9;:]*)m/g)) {
          const codes = m[1]!.split(';').map(Number);
          assert.equal(codes[0], 0, m[1]);
          let [fg, bg] = ['default', 'default'];
          for (let i = 1; i < codes.length; i++) {
            const c = codes[i]!;
            if (c === 38 || c === 48) {
              const rgb = codes[i + 1] === 2;
              const name = rgb ? codes.slice(i + 2, i + 5).join(',') : String(codes[i + 2]);
              if (c === 38) fg = name;
              else bg = name;
              i += rgb ? 4 : 2;
            } else if (c >= 30 && c <= 37) fg = String(c - 30);
            else if (c >= 90 && c <= 97) fg = String(c - 82);
            else if (c >= 40 && c <= 47) bg = String(c - 40);
            else if (c >= 100 && c <= 107) bg = String(c - 92);
            else assert.ok([1, 2, 3, 4, 7, 9].includes(c), `${m[1]}: ${c} is not blink or conceal`);
          }
          if (fg !== 'default') assert.notEqual(fg, bg, m[1]);
        }
      },
    ),
  );
});

test('a sequence split across frames reads as the whole', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(sgr, fc.constantFrom('ab', '\r\n', `${ESC}[2K`)), { maxLength: 12 }),
      fc.nat(),
      (parts, at) => {
        const whole = parts.join('');
        const cut = whole.length === 0 ? 0 : at % (whole.length + 1);
        const reader = new ColourReader();
        const split = reader.filter(whole.slice(0, cut)) + reader.filter(whole.slice(cut));
        assert.equal(split, new ColourReader().filter(whole));
      },
    ),
  );
});
