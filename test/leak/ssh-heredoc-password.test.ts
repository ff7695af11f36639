// A password fed to a command's standard input by a here-document (`docker login --password-stdin
// -u bob reg <<EOF`, the password on the next line, then `EOF`), through the gateway to a real
// OpenSSH server: as an exec command (the OpenSSH client), and typed at a terminal (tmux driving
// `ssh -tt`), where the body line is typed at the shell's `> ` prompt and echoed. The host runs a
// `docker` shell function that reads the password and prints its length, so nothing reaches a
// registry. The password (words, which no text rule takes for a secret) must be found nowhere in
// the data directory or the gateway's log; the lines around it stay readable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { openTmuxShell, type TmuxTerminal, tmuxMissing } from '../ssh/tmux-terminal.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { sshdMissing } from '../support/openssh-server.js';

const missing = sshdMissing();
const EXEC_PASSWORD = 'correct horse battery staple';
const TYPED_PASSWORD = 'tranquil walrus sipping lemonade';
/** Stands in for docker on the host: reads the password from standard input, prints its length. */
const STUB = `docker() { read -r pw; echo "stub-got-\${#pw}"; }`;
let f: SshFixture;
let terminal: TmuxTerminal | undefined;

before(async () => {
  if (missing) return;
  f = await startSshFixture();
});
after(async () => {
  await terminal?.close();
  await f?.close();
});

test('an exec command whose here-document feeds docker login --password-stdin: the body is masked', {
  skip: missing ?? false,
  timeout: 60_000,
}, async () => {
  const command = `${STUB}; docker login --password-stdin -u bob reg.example.test <<'EOF'\n${EXEC_PASSWORD}\nEOF\necho exec-done\n`;
  const run = await f.ssh('alice', ['alice@127.0.0.1', command]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `stub-got-${EXEC_PASSWORD.length}\nexec-done\n`);
  const exec = await until('the ssh.exec record', async () =>
    (await f.events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exec' && String(e.payload?.command).startsWith('docker()'),
    ),
  );
  assert.match(
    String(exec.payload?.command),
    /reg\.example\.test <<'EOF'\n\[MASKED:shell-secret:[0-9a-f]{6}\]\nEOF\necho exec-done\n$/,
  );
  await assertNowhere(EXEC_PASSWORD);
});

test('a here-document typed at a terminal: the password line, its keys and its echo are masked', {
  skip: missing ?? tmuxMissing() ?? false,
  timeout: 120_000,
}, async () => {
  terminal = await openTmuxShell(f, 'vigil-ssh-heredoc', { width: 120, height: 40 });
  const { shows } = terminal;
  await terminal.line(STUB);
  await terminal.line('docker login --password-stdin -u bob reg.example.test <<EOF');
  await shows(/^> ?$/m);
  // Typed a key at a time with a pause past the idle flush: the keys so far are recorded then.
  const [head, tail] = [TYPED_PASSWORD.slice(0, 12), TYPED_PASSWORD.slice(12)];
  for (const key of head) await terminal.text(key);
  await new Promise((r) => setTimeout(r, 1500));
  await terminal.text(tail);
  await terminal.keys('Enter');
  await terminal.line('EOF');
  await shows(`stub-got-${TYPED_PASSWORD.length}`);
  await terminal.line('echo after-heredoc');
  await shows(/^after-heredoc$/m);
  await terminal.line('exit');
  await terminal.ended();

  const sessions = await f.sessions({ identity: 'alice' });
  const events = sessions.find((s) => s.some((e) => e.type === 'ssh.exec' && e.payload?.shell === true));
  assert.ok(events, 'the shell session is recorded');
  const commands = events
    .filter((e) => e.type === 'ssh.command')
    .map((e) => String(e.payload?.command).replace(/\[MASKED:shell-secret:[0-9a-f]{6}\]/g, '[MASKED]'));
  assert.deepEqual(commands, [
    "export PS1='vt$ '",
    STUB,
    'docker login --password-stdin -u bob reg.example.test <<EOF',
    'docker login --password-stdin -u bob reg.example.test <<EOF\n[MASKED]',
    'EOF',
    'echo after-heredoc',
    'exit',
  ]);
  const body = events.find((e) => e.type === 'ssh.command' && e.payload?.heredoc === true);
  assert.equal(body?.payload?.line, undefined, 'no unmasked copy of the line');
  const hidden = events.filter((e) => e.type === 'ssh.input' && e.payload?.hidden === true);
  assert.ok(hidden.length >= 1, 'the password keys are recorded as typed, not stored');
  // The echo is masked by the recorder ([MASKED:here-document]). When the host's redraw of the
  // opener line is late and lands in the password line's chunk, the masker's shell rules mask the
  // body line there first (escapes and all, as shell-secret). Read from the opener on, so that a
  // failure shows the part that matters.
  const screen = outputText(events);
  const fromOpener = screen.slice(screen.lastIndexOf('<<EOF'));
  assert.match(
    fromOpener,
    /^<<EOF[\s\S]*\[MASKED:(here-document|shell-secret:[0-9a-f]{6})\][\s\S]*stub-got-32/,
  );
  assert.match(fromOpener, /after-heredoc/);
  await assertNowhere(TYPED_PASSWORD);
});

function outputText(events: readonly StoredEvent[]): string {
  return events
    .filter((e) => e.type === 'ssh.output')
    .flatMap((e) => e.payload?.frames as [number, string, string][])
    .filter((fr) => fr[1] === 'o')
    .map((fr) => fr[2])
    .join('');
}

async function assertNowhere(secret: string): Promise<void> {
  await f.gateway.recorder.drain();
  await f.gateway.checkpointer.checkpointNow();
  // The whole password, and its words two by two (a part of it is a leak too).
  const words = secret.split(' ');
  const parts = [secret, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
  for (const { path, bytes } of dataDirFiles(f.dataDir))
    for (const part of parts) assert.ok(!containsAnyEncoding(bytes, part), `"${part}" is in ${path}`);
  for (const part of parts)
    assert.ok(!containsAnyEncoding(Buffer.from(f.log()), part), `"${part}" is in the gateway log`);
}

function containsAnyEncoding(data: Buffer, secret: string): boolean {
  const forms = [
    secret,
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    Buffer.from(secret).toString('hex'),
    encodeURIComponent(secret),
    Buffer.from(secret, 'utf16le').toString('latin1'),
  ];
  const text = data.toString('latin1').toLowerCase();
  return forms.some((form) => text.includes(form.toLowerCase()));
}
