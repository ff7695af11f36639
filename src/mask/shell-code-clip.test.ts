import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RawFinding } from './compiled-rules.js';
import { createMasker } from './masker.js';
import { shellCodeBreaks } from './shell-code-clip.js';
import { clipToCode } from './sql-code-clip.js';

/** A command of a known shape: its text, and the points inside it where code resumes. */
interface Segment {
  readonly text: string;
  readonly points: readonly number[];
}

const at = (text: string, marker: string) => [text.indexOf(marker)];
const seg = (text: string, points: readonly number[] = []): Segment => ({ text, points });
const HDOC = "cat > k.pem <<'EOF'\n-----BEGIN PRIVATE KEY-----\nit's \"data\" $(x\nEOF";
const TABS = 'cat <<-END\n\tMIIE\n\t\tEND';
const TWO = 'cat <<A <<"B"\na\nA\nb\nB';
const SUB = 'echo "$(\nrm -rf x\n)"';
const SUB_HDOC = 'cat > "$(\necho k\n)" <<E\nMIIE "\nE';
const UNQUOTED_HDOC = 'cat <<E\na$(id) \\$(no)\nE';
const segment = fc.constantFrom<Segment>(
  seg('echo ok'),
  seg('echo ok # -----BEGIN PRIVATE KEY-----'),
  seg('echo -----BEGIN PRIVATE KEY-----'),
  seg('rm -rf /tmp/data'),
  seg('echo "-----BEGIN PRIVATE KEY-----\nMIIE\\"x\n-----END PRIVATE KEY-----"'),
  seg("printf '%s' 'a\nMIIE\\\n'"),
  seg("echo $'a\\'\nb'"),
  seg('echo "a \\\nb"'),
  seg('echo a \\\nrm -rf b', at('echo a \\\nrm -rf b', '\\')),
  seg('a#b "c\nd"'),
  seg(HDOC, [HDOC.lastIndexOf('EOF')]),
  seg(TABS, [TABS.lastIndexOf('\t\tEND')]),
  seg(TWO, [TWO.indexOf('\nA\n') + 1, TWO.length - 1]),
  seg(SUB, [SUB.indexOf('$'), SUB.indexOf('rm'), SUB.indexOf(')')]),
  seg(SUB_HDOC, [
    SUB_HDOC.indexOf('$'),
    SUB_HDOC.indexOf('echo'),
    SUB_HDOC.indexOf(')'),
    SUB_HDOC.length - 1,
  ]),
  seg('echo `\nrm x`', [5, 7]),
  // A substitution in a secret's value, in code or double quotes, runs: its opening is a point.
  seg('echo password=x$(rm -rf /tmp/data)', [15]),
  seg('export TOKEN="a`id`"', [15]),
  seg('diff <(ls a) >(cat)', [5, 13]),
  // Inside single quotes only a whole one (the shell it is handed to runs it); a lone one is data.
  seg("bash -c 'echo password=x$(id)'", [24]),
  seg("mysql -p'ab`cd' -e 1"),
  seg("mysql -p'ab$(cd' -e 1"),
  // An unquoted here-document's body is expanded (a backslash quotes); a quoted one's is data.
  seg(UNQUOTED_HDOC, [UNQUOTED_HDOC.indexOf('$'), UNQUOTED_HDOC.length - 1]),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
  seg('x=${y:-"a\nb"}'),
  seg('echo $((1 <<EOF))', [5]),
);

/** Segments joined by newlines, and the points a shell reader sees: each segment's start after the first. */
const script = fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => {
  let text = '';
  const points: number[] = [];
  for (const [k, p] of parts.entries()) {
    if (k > 0) {
      text += '\n';
      points.push(text.length);
    }
    points.push(...p.points.map((x) => x + text.length));
    text += p.text;
  }
  return { text, points };
});

test('property: the points are the starts of code after each line break or substitution, and nowhere in data', () => {
  fc.assert(
    fc.property(script, ({ text, points }) => {
      assert.deepEqual(
        shellCodeBreaks(text).map((s) => s.start),
        points,
        JSON.stringify(text),
      );
    }),
  );
});

const piece = fc.constantFrom(
  'echo ',
  ' ',
  '\n',
  '\\',
  '\\\n',
  "'",
  '"',
  '$(',
  ')',
  '`',
  '${',
  '}',
  '#',
  '<<E',
  '<<-E',
  '<(',
  '>(',
  'E',
  '\tE',
  "$'",
  '-----BEGIN PRIVATE KEY-----',
);
const soup = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));

const SUBSTITUTION = /^(?:\$\(|`|<\(|>\()/;

test('property: on any text the points are in order, empty, and each after a line break, at a continuation or a substitution', () => {
  fc.assert(
    fc.property(soup, (text) => {
      const spans = shellCodeBreaks(text);
      let last = -1;
      for (const s of spans) {
        assert.equal(s.start, s.end);
        assert.ok(s.start >= last && s.start <= text.length);
        assert.ok(
          text[s.start - 1] === '\n' ||
            text.startsWith('\\\n', s.start) ||
            SUBSTITUTION.test(text.slice(s.start, s.start + 2)),
          JSON.stringify(text),
        );
        last = s.start;
      }
    }),
  );
});

test('property: a clipped finding keeps its start, never grows, and runs past no point', () => {
  fc.assert(
    fc.property(soup, fc.array(fc.tuple(fc.nat(300), fc.nat(300)), { maxLength: 6 }), (text, cuts) => {
      const findings: RawFinding[] = cuts
        .map(([a, b]) => [Math.min(a, b) % (text.length + 1), Math.max(a, b) % (text.length + 1)] as const)
        .filter(([a, b]) => b > a)
        .map(([start, end], i) => ({ ruleId: `r${i}`, start, end, secret: text.slice(start, end) }));
      const points = shellCodeBreaks(text);
      for (const c of clipToCode(text, findings, points)) {
        const from = findings.find((f) => f.ruleId === c.ruleId && f.start === c.start && f.end >= c.end);
        assert.ok(from, 'each output comes from an input, cut at most');
        assert.equal(c.secret, text.slice(c.start, c.end));
        assert.ok(!points.some((p) => p.start > c.start && p.start < c.end), JSON.stringify(text));
      }
    }),
  );
});

test('the reader is linear: long lines of openers, quotes and here-documents', () => {
  for (const unit of [
    '$(',
    '${',
    '`',
    '"',
    "'",
    '<<E ',
    '\\\n',
    '#\n',
    'a\n',
    '$((1<<2))',
    '<<E\n',
    "'`'",
    "'$(a)",
    '<(',
  ]) {
    const text = `${unit.repeat(Math.ceil(200_000 / unit.length))}\nrm -rf /tmp/data`;
    const started = performance.now();
    shellCodeBreaks(text);
    assert.ok(performance.now() - started < 500, `${JSON.stringify(unit)} took too long`);
  }
});

const masker = createMasker({ fingerprintKey: 'shell-code-clip-test-key-0123456' });
const exec = (command: string) =>
  String((masker.maskPayload({ channel: 0, command }, '') as { command: string }).command);
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString()
  .trim();
const body = pem.split('\n').slice(1, -1);

test('a header in a comment or an argument leaves the next command in clear', () => {
  for (const line of ['echo ok # -----BEGIN PRIVATE KEY-----', 'echo -----BEGIN PRIVATE KEY-----']) {
    const masked = exec(`${line}\nrm -rf /tmp/data`);
    assert.match(masked, /\[MASKED:private-key:[0-9a-f]+\]\nrm -rf \/tmp\/data$/);
  }
  // A continuation's words are code too.
  assert.match(
    exec('echo -----BEGIN PRIVATE KEY----- \\\n&& rm -rf /tmp/data'),
    /\\\n&& rm -rf \/tmp\/data$/,
  );
});

test('a key in a quoted string or a here-document body is masked whole', () => {
  for (const command of [
    `echo "${pem}" > k.pem\nrm -rf /tmp/data`,
    `printf '%s\\n' '${pem}' > k.pem\nrm -rf /tmp/data`,
    `cat > k.pem <<'EOF'\n${pem}\nEOF\nrm -rf /tmp/data`,
    `cat > k.pem <<EOF\n${pem}\nEOF\nrm -rf /tmp/data`,
    `cat > "$(\necho k.pem\n)" <<'EOF'\n${pem}\nEOF\nrm -rf /tmp/data`,
  ]) {
    const masked = exec(command);
    for (const line of body) assert.ok(!masked.includes(line), masked);
    assert.match(masked, /\nrm -rf \/tmp\/data$/);
  }
});

test('a secret option or variable is masked up to a substitution in it, which stays in clear', () => {
  const words = 'summer-lantern-river';
  for (const [command, code] of [
    [`echo password=${words}$(rm -rf /tmp/data)`, '$(rm -rf /tmp/data)'],
    [`mysql -p${words}\`rm -rf /tmp/data\` -e 1`, '`rm -rf /tmp/data` -e 1'],
    [`PGPASSWORD="${words}$(id>/tmp/o)" psql`, '$(id>/tmp/o)" psql'],
    [`export API_TOKEN=${words}<(rm -rf /tmp/data)`, '<(rm -rf /tmp/data)'],
    [`docker login --password-stdin <<EOF\n${words}$(rm -rf /tmp/data)\nEOF`, '$(rm -rf /tmp/data)\nEOF'],
  ] as const) {
    const masked = exec(command);
    assert.ok(masked.endsWith(code), masked);
    assert.ok(!masked.includes(words), masked);
    assert.match(masked, /\[MASKED:shell-secret:[0-9a-f]+\]/);
    assert.equal(masker.scanShellLine(command).text, masked, 'mask-test --as shell reads it as recorded');
  }
  // What the shell reads as data is masked whole: a quoted here-document, a lone quote-held opener.
  for (const command of [
    `docker login --password-stdin <<'EOF'\n${words}$(x)\nEOF`,
    `mysql -p'${words}\`x' -e 1`,
    `mysql -p'${words}$(x' -e 1`,
  ]) {
    const masked = exec(command);
    assert.ok(!masked.includes(words) && !masked.includes('x'), masked);
  }
});
