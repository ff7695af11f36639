// A secret option's or variable's value is a word the shell expands. `echo password=x$(rm -rf
// /tmp/data)` ran the `rm` while the record, and the reviewer of a held command, read `echo
// password=[MASKED:…]`: the mask took the whole word, substitution and all. The same held for a
// backtick and an option's value. Through the OpenSSH client and a real OpenSSH server: each
// substitution runs (it leaves a file) and is recorded in clear, and the password of words before
// it reaches neither the data directory nor the log. (An exec command with an unquoted
// here-document whose body holds a substitution is refused by the command reader, which reads the
// body line as a command; the masking of such a body is tested in src/mask/shell-code-clip.test.ts.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { sshdMissing } from '../support/openssh-server.js';
import { type SshFixture, startSshFixture, until } from './ssh-fixture.js';

const missing = sshdMissing();
const WORDS = 'summer-lantern-river';
let f: SshFixture;

before(async () => {
  if (missing) return;
  f = await startSshFixture();
});
after(async () => {
  await f?.close();
});

/** Runs `command` as an exec command and returns it as recorded. */
async function recorded(command: string, marker: string): Promise<string> {
  const run = await f.ssh('alice', ['alice@127.0.0.1', command]);
  assert.equal(run.code, 0, `${marker}: ${run.stderr}`);
  const exec = await until('the ssh.exec record', async () =>
    (await f.events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exec' && String(e.payload?.command).includes(marker),
    ),
  );
  return String(exec.payload?.command);
}

test('a substitution inside a secret value runs, and the record shows it in clear', {
  skip: missing ?? false,
  timeout: 90_000,
}, async () => {
  const cases = [
    ['dollar', (file: string) => `echo password=${WORDS}$(touch ${file}) dollar-case`],
    ['tick', (file: string) => `export API_TOKEN=${WORDS}\`touch ${file}\`; echo tick-case`],
    ['option', (file: string) => `mysql() { :; }; mysql -p${WORDS}$(touch ${file}) -e 1; echo option-case`],
  ] as const;
  for (const [name, build] of cases) {
    const file = `${f.work}/ran-${name}`;
    const command = build(file);
    const substitution = command.slice(
      command.indexOf(WORDS) + WORDS.length,
      command.indexOf(file) + file.length,
    );
    const shown = await recorded(command, `${name}-case`);
    assert.ok(existsSync(file), `${name}: the substitution ran on the host`);
    assert.ok(shown.includes(substitution), `${name}: the record shows ${substitution}: ${shown}`);
    assert.ok(!shown.includes(WORDS), `${name}: the password is masked: ${shown}`);
    assert.match(shown, /\[MASKED:shell-secret:[0-9a-f]+\]/, name);
  }
  await f.gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(f.dataDir))
    assert.ok(!bytes.toString('latin1').includes(WORDS), `the password is in ${path}`);
  assert.ok(!f.log().includes(WORDS), 'the password is in the log');
});
