// A password a here-document feeds to a command that reads it from standard input (`docker login
// --password-stdin <<EOF`, `chpasswd <<EOF`, `cat <<EOF | passwd --stdin ann`): each body line is
// masked whole up to the terminator, whatever the operator's spelling; the lines after it, and the
// bodies of other commands, stay as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MASK, maskedLinePattern as pattern } from '../../test/support/masked-line.js';
import { createMasker } from './masker.js';
import { endsHereDocument, hereDocumentOperators } from './shell-heredoc.js';

const masker = createMasker({ fingerprintKey: 'shell-heredoc-test-key-0123456789abc' });
const PW = 'correct horse battery staple';

test('the body of a here-document a password reader reads is masked, line by line', () => {
  const cases: [string, string][] = [
    [
      `docker login --password-stdin -u bob reg <<EOF\n${PW}\nEOF\necho done`,
      `docker login --password-stdin -u bob reg <<EOF\n${MASK}\nEOF\necho done`,
    ],
    [
      `docker login -u bob --password-stdin reg << "EOF"\n${PW}\nEOF`,
      `docker login -u bob --password-stdin reg << "EOF"\n${MASK}\nEOF`,
    ],
    [
      `sudo podman login --password-stdin r <<'END'\n${PW}\nEND\n`,
      `sudo podman login --password-stdin r <<'END'\n${MASK}\nEND\n`,
    ],
    [
      `cat <<-EOF | helm registry login --password-stdin r\n\t${PW}\n\tEOF\necho ok`,
      `cat <<-EOF | helm registry login --password-stdin r\n\t${MASK}\n\tEOF\necho ok`,
    ],
    [`chpasswd <<X\nann:${PW}\nbob:${PW}\nX`, `chpasswd <<X\n${MASK}\n${MASK}\nX`],
    [`passwd --stdin ann <<\\EOF\n${PW}\nEOF`, `passwd --stdin ann <<\\EOF\n${MASK}\nEOF`],
    [
      `echo x; gh auth login --with-token << EOF\n${PW}\nEOF`,
      `echo x; gh auth login --with-token << EOF\n${MASK}\nEOF`,
    ],
    // The command begun on an earlier line (a backslash-newline).
    [
      `docker login --password-stdin \\\n  -u bob reg <<EOF\n${PW}\nEOF`,
      `docker login --password-stdin \\\n  -u bob reg <<EOF\n${MASK}\nEOF`,
    ],
    // No terminator: the shell reads the body to the end, and so is it masked.
    [
      `docker login --password-stdin <<EOF\n${PW}\n${PW}`,
      `docker login --password-stdin <<EOF\n${MASK}\n${MASK}`,
    ],
    // Terminal text: the continuation prompt before the body and the terminator, CRLF line ends.
    [
      `$ docker login --password-stdin <<EOF\r\n> ${PW}\r\n> EOF\r\nLogin Succeeded\r\n`,
      `$ docker login --password-stdin <<EOF\r\n${MASK}\r\n> EOF\r\nLogin Succeeded\r\n`,
    ],
    // A quote opened in an earlier body is no quote to the shell: the next command is read afresh.
    [
      `cat > notes <<EOF\nit's\nEOF\ndocker login --password-stdin <<X\n${PW}\nX`,
      `cat > notes <<EOF\nit's\nEOF\ndocker login --password-stdin <<X\n${MASK}\nX`,
    ],
    // Two here-documents on one line: their bodies in order, only the reader's masked.
    [
      `cat <<A > notes; docker login --password-stdin <<B\nkept line\nA\n${PW}\nB`,
      `cat <<A > notes; docker login --password-stdin <<B\nkept line\nA\n${MASK}\nB`,
    ],
  ];
  for (const [line, expected] of cases) {
    const masked = masker.maskShellLine(line);
    assert.match(masked, pattern(expected), JSON.stringify(line));
    assert.ok(!masked.includes('horse'), masked);
  }
});

test('here-documents of other commands, here-strings and quoted `<<` are not taken for a password', () => {
  for (const line of [
    `cat > notes.txt <<EOF\n${PW}\nEOF`,
    `docker login --password-stdin < pw.txt\n${PW}`,
    `echo '<<EOF' | docker login --password-stdin\n${PW}`,
    `docker build - <<EOF\nFROM alpine\nRUN echo ${PW}\nEOF`,
    `docker login --password-stdin <<EOF\nEOF\n${PW}`,
  ])
    assert.equal(masker.maskShellLine(line), line);
});

test('here-document operators: spellings, quotes, comments and here-strings', () => {
  const terms = (line: string) => hereDocumentOperators(line).map((o) => [o.terminator, o.stripTabs]);
  assert.deepEqual(terms('a <<EOF'), [['EOF', false]]);
  assert.deepEqual(terms('a <<-EOF'), [['EOF', true]]);
  assert.deepEqual(terms("a << 'E O'"), [['E O', false]]);
  assert.deepEqual(terms('a <<"EOF"x; b <<\\Z'), [
    ['EOFx', false],
    ['Z', false],
  ]);
  assert.deepEqual(terms('a <<<EOF'), []);
  assert.deepEqual(terms('echo \'<<EOF\' "<<X"'), []);
  assert.deepEqual(terms('a # <<EOF'), []);
  assert.ok(endsHereDocument('EOF\r', { terminator: 'EOF', stripTabs: false }));
  assert.ok(endsHereDocument('\t\tEOF', { terminator: 'EOF', stripTabs: true }));
  assert.ok(!endsHereDocument('\tEOF', { terminator: 'EOF', stripTabs: false }));
  assert.ok(!endsHereDocument('EOF ', { terminator: 'EOF', stripTabs: false }));
});

const bodyLine = fc
  .string({ minLength: 1, maxLength: 40, unit: fc.constantFrom(...'abcdefgh ijk-_:.@XYZ0129') })
  .filter((s) => s.trim().length >= 4);
const terminator = fc.stringMatching(/^[A-Z_]{1,8}$/);
const opener = fc.constantFrom(
  (t: string) => `docker login --password-stdin -u bob reg <<${t}`,
  (t: string) => `docker login -u bob --password-stdin reg << '${t}'`,
  (t: string) => `cat <<"${t}" | docker login --password-stdin`,
  (t: string) => `sudo chpasswd <<-${t}`,
  (t: string) => `echo start; passwd --stdin ann <<\\${t}`,
);

test('property: no body line of a password reader here-document survives, whatever it holds', () => {
  fc.assert(
    fc.property(
      opener,
      terminator,
      fc.array(bodyLine, { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      (open, term, body, crlf) => {
        const lines = body.filter((l) => l.trim() !== term);
        fc.pre(lines.length > 0);
        const nl = crlf ? '\r\n' : '\n';
        const text = [open(term), ...lines, term, 'echo after'].join(nl);
        const masked = masker.maskShellLine(text);
        const out = masked.split(nl);
        // The opener, the terminator and the line after it stay; every body line is one mask.
        assert.equal(out[0], open(term));
        for (let k = 1; k <= lines.length; k++)
          assert.match(out[k]!, /^\s*\[MASKED:shell-secret:[0-9a-f]{6}\]$/, JSON.stringify(text));
        assert.deepEqual(out.slice(lines.length + 1), [term, 'echo after']);
      },
    ),
    { numRuns: 300 },
  );
});
