// The tests read programs' output through runProcess; output with multi-byte characters larger than
// one pipe read (an export of a non-ASCII session, say) must come back as it was written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProcess } from '../support/cli.js';

test('runProcess decodes UTF-8 split across pipe reads', async () => {
  // 'é' is two bytes; an odd offset first makes every 64 KiB read end inside a character.
  const text = `x${'é'.repeat(200_000)}`;
  const run = await runProcess(process.execPath, [
    '-e',
    "const t = `x${'é'.repeat(200000)}`; process.stdout.write(t); process.stderr.write(t);",
  ]);
  assert.equal(run.code, 0);
  // Compared as booleans: a diff of two 400 KB strings would take the runner minutes to print.
  for (const [name, out] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    const replaced = out.split('\uFFFD').length - 1;
    assert.ok(out === text, `${name}: ${out.length} of ${text.length} characters, ${replaced} replaced`);
  }
});
