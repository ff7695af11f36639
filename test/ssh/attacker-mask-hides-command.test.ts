// A key header in an exec command must not hide the next command from the record. The private-key
// rule takes a header and any run of base64-like characters and line breaks after it, so
// `echo ok # -----BEGIN PRIVATE KEY-----⏎rm -rf /tmp/data` was recorded (and shown to the reviewer
// of a held command) with `rm -rf /tmp/data` inside the mask. Through the OpenSSH client and a real
// OpenSSH server: the command after the line break stays in clear, the header is masked. A real
// key written into a file by a here-document or a quoted string is still masked whole: none of its
// body lines reaches the data directory or the gateway's log. The host runs an `rm` shell function
// that prints its arguments, so nothing is removed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { sshdMissing } from '../support/openssh-server.js';
import { generateTestKeys } from '../support/private-keys.js';
import { type SshFixture, startSshFixture, until } from './ssh-fixture.js';

const missing = sshdMissing();
const STUB = 'rm() { echo "rm-stub $*"; }';
let f: SshFixture;

before(async () => {
  if (missing) return;
  f = await startSshFixture();
});
after(async () => {
  await f?.close();
});

/** Runs `command` as an exec command and returns it as recorded. */
async function recorded(command: string, marker: string): Promise<{ stdout: string; command: string }> {
  const run = await f.ssh('alice', ['alice@127.0.0.1', command]);
  assert.equal(run.code, 0, run.stderr);
  const exec = await until('the ssh.exec record', async () =>
    (await f.events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exec' && String(e.payload?.command).includes(marker),
    ),
  );
  return { stdout: run.stdout, command: String(exec.payload?.command) };
}

for (const [name, line] of [
  ['a key header in a comment', 'echo comment-case # -----BEGIN PRIVATE KEY-----'],
  ['a key header echoed', 'echo echo-case -----BEGIN PRIVATE KEY-----'],
] as const) {
  test(`${name}: the command on the next line is recorded in clear`, {
    skip: missing ?? false,
    timeout: 60_000,
  }, async () => {
    const marker = line.split(' ')[1]!;
    const run = await recorded(`${STUB}\n${line}\nrm -rf /tmp/data`, marker);
    assert.match(run.stdout, /rm-stub -rf \/tmp\/data\n$/);
    assert.ok(run.command.endsWith('\nrm -rf /tmp/data'), run.command);
    assert.ok(!run.command.includes('-----BEGIN PRIVATE KEY-----'), run.command);
    assert.match(run.command, new RegExp(`${marker}.*\\[MASKED:private-key:[0-9a-f]+\\]\\nrm -rf`));
  });
}

test('a generated key in a here-document or a quoted string is masked whole', {
  skip: missing ?? false,
  timeout: 60_000,
}, async () => {
  const keys = generateTestKeys();
  const [heredocKey, quotedKey] = [keys[0]!, keys[1]!];
  const written = `${f.work}/k.pem`;
  const heredoc = await recorded(
    `cat > ${written} <<'EOF'\n${heredocKey.pem.trim()}\nEOF\necho heredoc-done`,
    'heredoc-done',
  );
  assert.equal(heredoc.stdout, 'heredoc-done\n');
  assert.match(heredoc.command, /<<'EOF'\n\[MASKED:private-key:[0-9a-f]+\]\nEOF\necho heredoc-done$/);
  const quoted = await recorded(
    `echo "${quotedKey.pem.trim()}" > ${written}.2\necho quoted-done`,
    'quoted-done',
  );
  assert.equal(quoted.stdout, 'quoted-done\n');
  assert.match(quoted.command, /^echo "\[MASKED:private-key:[0-9a-f]+\]" > \S+\necho quoted-done$/);
  await f.gateway.recorder.drain();
  const log = f.log();
  for (const key of [heredocKey, quotedKey])
    for (const body of key.bodyLines) {
      for (const { path, bytes } of dataDirFiles(f.dataDir))
        assert.ok(!bytes.toString('latin1').includes(body), `${key.kind}: a body line is in ${path}`);
      assert.ok(!log.includes(body), `${key.kind}: a body line is in the log`);
    }
});
