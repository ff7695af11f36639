// A shell reading its input expands history only once told to; Vigil then refuses lines that would
// rerun history (`!!:1marker` builds a name no line showed). Until 6 December only `set -H` and
// `set -o histexpand` at the head of set's words counted as telling it: `set -o history -o
// histexpand`, `shopt -os history histexpand`, `set -$x`, a sourced file and a `bash -i` started on
// the input all turned it on unseen, and the built line ran. Each variant here must be refused.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_FORBIDDEN_MARKER, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({ policy: { rules: [NO_FORBIDDEN_MARKER] } });

test('every way of turning history expansion on is seen: a line built from the history is refused', {
  skip: missing ?? false,
}, async () => {
  const sourced = join(f().work, 'history-on.sh');
  writeFileSync(sourced, 'set -o history -o histexpand\n');
  for (const [n, prelude] of [
    'set -o history -o histexpand',
    'shopt -os history histexpand',
    'x=H; set -$x -o history',
    'set -Bo history -H',
    `. ${sourced}`,
    'bash -i 2>/dev/null',
  ].entries()) {
    const stem = join(f().work, `forbidden-opts-${n}-`);
    const run = await f().ssh(
      'alice',
      ['alice@127.0.0.1', 'bash'],
      `${prelude}\necho ${stem}\ntouch !!:1marker\n`,
    );
    assert.equal(existsSync(`${stem}marker`), false, `${prelude}: the line from the history ran`);
    assert.match(run.stderr, /statement_uncertain/, prelude);
    assert.equal(run.code, 126, prelude);
  }
  // Turned off in its plain form, a `!` is text again.
  const off = await f().ssh('alice', ['alice@127.0.0.1', 'bash'], 'set -H\nset +H\necho "wow!!x"\n');
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.stdout, 'wow!!x\n');
});
