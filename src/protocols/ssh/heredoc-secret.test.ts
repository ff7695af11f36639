// Here-documents typed at a prompt: which lines are a password's (the body of one a password
// reader reads, not its terminator), and the echo of such a line masked in the terminal recording
// however the host's writes split it, with the next chunk's offset still counting the stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../core/events.js';
import { bodyLineRefusal, HereDocumentLines } from './heredoc-secret.js';
import { ECHO_MASK, type Frame, TerminalRecorder } from './terminal-recorder.js';

test('body lines of a password reader here-document are secret, up to the terminator', () => {
  const h = new HereDocumentLines();
  h.commandSent('docker login --password-stdin -u bob reg <<EOF', '');
  assert.ok(h.inBody);
  assert.ok(h.secretLine('pw one'));
  assert.equal(h.statementFor('pw one'), 'docker login --password-stdin -u bob reg <<EOF\npw one');
  h.bodySent('pw one');
  // Leading spaces: not the terminator of `<<EOF` (only `<<-` strips, and only tabs).
  assert.ok(h.secretLine('  EOF'));
  h.bodySent('  EOF');
  assert.ok(!h.secretLine('EOF'), 'the terminator is no password');
  h.bodySent('EOF');
  assert.ok(!h.inBody);

  // Two on one line: the first body is not a password's, the second is.
  h.commandSent('cat <<A > notes; chpasswd <<-B', '');
  assert.ok(h.inBody && !h.secret);
  h.bodySent('notes');
  h.bodySent('A');
  assert.ok(h.secretLine('\tann:pw'));
  assert.match(h.statementFor('\tann:pw'), /<<-B\nA\n\tann:pw$/);
  h.bodySent('\tB');
  assert.ok(!h.inBody);

  // Opened on the second line of a statement: operators of the earlier line are not counted twice.
  h.commandSent('passwd --stdin ann \\\n<<END', 'passwd --stdin ann \\');
  assert.ok(h.secret);
  h.reset();
  assert.ok(!h.inBody);
  h.commandSent('cat > f <<EOF', '');
  assert.ok(h.inBody && !h.secretLine('text'));
});

test('no body is followed where the shell opens none, nor past a ^D on an empty line', () => {
  const h = new HereDocumentLines();
  // An arithmetic or parameter expansion: the shell opens no here-document, so the lines typed next
  // are commands, which a body taken for a password's would have recorded masked.
  for (const line of [
    'docker login --password-stdin $((1<<EOF))',
    'docker login --password-stdin $(( x << EOF ))',
    'echo ${x:-<<EOF} | docker login --password-stdin',
  ]) {
    h.commandSent(line, '');
    assert.ok(!h.inBody, line);
  }
  // ^D on an empty line ends the input of whatever reads it (the shell's body, or a program that
  // was sent the opener and exits); mid-line it is an editing key.
  h.commandSent('docker login --password-stdin <<EOF', '');
  h.typed(Buffer.from('\x04'), false);
  assert.ok(h.secret);
  h.typed(Buffer.from('\x04'), true);
  assert.ok(!h.inBody);
});

test('a password line judged alone: a rule that would deny or hold it refuses it', () => {
  assert.equal(bodyLineRefusal({ action: 'allow' }), null);
  const denied = bodyLineRefusal({ action: 'deny', rule: 'no-rm', reason: 'rm is not allowed' });
  assert.equal(denied?.code, 'policy_denied');
  assert.match(denied!.message, /no-rm.*judged alone/);
});

interface Chunk extends JsonObject {
  offset: number;
  frames: Frame[];
}

const textOf = (c: Chunk) => c.frames.map((f) => (f[1] === 'o' ? f[2] : '')).join('');

test('property: a secret line echoed in any writes is masked, and offsets still count the stream', () => {
  fc.assert(
    fc.property(
      fc
        .string({ unit: fc.constantFrom(...'abc xyz-é'), minLength: 3, maxLength: 30 })
        .filter((s) => s.trim().length >= 3),
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
      (secret, cuts) => {
        const chunks: Chunk[] = [];
        const rec = new TerminalRecorder({
          channel: 0,
          startedAt: performance.now(),
          chunkBytes: 1 << 16,
          chunkMs: 60_000,
          record: (p) => chunks.push(p as Chunk),
        });
        rec.push(Buffer.from('vt$ cmd <<EOF\r\n> '));
        rec.hold();
        const echo = `${secret}`;
        const points = [...new Set(cuts.map((c) => c % (echo.length + 1)))].sort((a, b) => a - b);
        let at = 0;
        for (const p of [...points, echo.length]) {
          rec.push(Buffer.from(echo.slice(at, p)));
          at = p;
        }
        rec.release([secret.trim()]);
        rec.push(Buffer.from('\r\nnext\r\n'));
        rec.close();
        const all = chunks.map(textOf).join('');
        assert.ok(!all.includes(secret.trim()), all);
        assert.ok(all.includes(ECHO_MASK));
        assert.ok(all.startsWith('vt$ cmd <<EOF\r\n> '));
        // The chunk after the masked one starts where the stream's bytes say.
        const last = chunks[chunks.length - 1]!;
        assert.equal(last.offset, Buffer.byteLength(`vt$ cmd <<EOF\r\n> ${echo}`));
      },
    ),
    { numRuns: 200 },
  );
});

test('an echo that does not show the line as typed is masked whole', () => {
  const chunks: Chunk[] = [];
  const rec = new TerminalRecorder({
    channel: 0,
    startedAt: performance.now(),
    chunkBytes: 1 << 16,
    chunkMs: 60_000,
    record: (p) => chunks.push(p as Chunk),
  });
  rec.push(Buffer.from('> '));
  rec.hold();
  rec.push(Buffer.from('tranquil walr'));
  rec.push(Buffer.from('\x1b[Kus sipping'));
  rec.release(['tranquil walrus sipping']);
  assert.equal(chunks.map(textOf).join(''), `> ${ECHO_MASK}`);
});
