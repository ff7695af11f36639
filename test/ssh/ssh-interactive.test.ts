// An interactive shell through Vigil, typed by tmux into the real OpenSSH client (`ssh -tt`) as a
// person would: each command line is recorded before its Enter reaches the host; a denied line
// never runs (its marker never appears), the user sees why and the shell stays usable; a password
// typed at a `read -s` prompt is found nowhere in the data directory or the log, in any encoding;
// `vigil replay` plays the session and jumps to a command; `vigil export --format asciicast` writes
// a file asciinema accepts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { runCli } from '../support/cli.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { assertLedgerVerifies } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { NO_FORBIDDEN_MARKER, type SshFixture, startSshFixture } from './ssh-fixture.js';
import { openTmuxShell, type TmuxTerminal, tmuxMissing } from './tmux-terminal.js';

const missing = sshdMissing() ?? tmuxMissing();
const SECRET = 'S3cr3t-Pa55-xyzzy';
/** Typed as part of a command line at the prompt, one key at a time: echoed, and must still not be stored. */
const TYPED_SECRET = 'Typ3d-Pa55-plugh';
let f: SshFixture;
let terminal: TmuxTerminal | undefined;

before(async () => {
  if (missing) return;
  f = await startSshFixture({
    policy: {
      rules: [NO_FORBIDDEN_MARKER],
    },
  });
});
after(async () => {
  if (missing) return;
  await terminal?.close();
  await f.close();
});

test('an interactive shell typed through tmux: lines judged before Enter, a denied line never runs, a password is never stored', {
  skip: missing ?? false,
}, async () => {
  terminal = await openTmuxShell(f, 'vigil-ssh-interactive', { width: 120, height: 40 });
  const { shows } = terminal;
  const type = (text: string) => terminal!.line(text);
  await type('echo answer-$((6*7))');
  await shows('answer-42');
  // Write-ahead: the line is in the ledger database by the time the host runs it.
  const probe = f.probe('ssh.command', 'wa-probe-line-9');
  await type(probe);
  await shows('recorded-before-run=1');

  const marker = join(f.work, 'forbidden-marker');
  await type(`touch ${marker}`);
  await shows('vigil: policy_denied: denied by rule no-forbidden');
  // The shell is still there, and the line never ran.
  await type('echo still-here');
  await shows(/^still-here$/m);
  assert.equal(existsSync(marker), false, 'the denied line ran');

  await type(`read -s -p 'Password: ' PW; echo; echo got-\${#PW}`);
  await shows('Password: ');
  await type(SECRET);
  await shows(`got-${SECRET.length}`);
  // A person typing: one key at a time (tmux reads a lone `;` as its own separator: avoid it), then Enter.
  for (const key of `mysql -uroot -p${TYPED_SECRET} --version && echo typed-done`) {
    await terminal.text(key);
    await new Promise((r) => setTimeout(r, 60));
  }
  await terminal.keys('Enter');
  await shows(/^typed-done$/m);
  // Typed blind: with echo off the line is not stored, but it is judged all the same.
  const blind = join(f.work, 'forbidden-marker-blind');
  await type('stty -echo');
  // Keys typed before stty has run are echoed by the terminal driver: wait for the prompt after it.
  await shows(/stty -echo\nvt\$ ?$/m);
  await type(`touch ${blind}`);
  await shows('(a line typed with echo off, not stored)');
  // Edited blind with a cursor key, the line's text cannot be known: refused, not guessed at.
  await terminal.text('echo blind-edit-ran');
  await terminal.keys('Left');
  await terminal.keys('Enter');
  await shows('vigil: statement_uncertain');
  await type('stty echo');
  await type('echo echo-back');
  await shows(/^echo-back$/m);
  assert.equal(existsSync(blind), false, 'the denied line typed with echo off ran');
  assert.ok(!/^blind-edit-ran$/m.test(await terminal.pane()), 'the uncertain blind line ran');
  await type('exit');
  await terminal.ended();

  const events = await sessionEvents();
  const blindRefusals = events.filter((e) => e.type === 'ssh.command' && e.payload?.hidden === true);
  assert.deepEqual(
    blindRefusals.map((e) => e.payload?.refused),
    ['policy_denied', 'statement_uncertain'],
    'the blind lines are recorded as refused',
  );
  assert.equal(blindRefusals[0]!.payload?.command, undefined, 'without its text');
  const commands = events
    .filter((e) => e.type === 'ssh.command' && e.payload?.hidden !== true)
    .map((e) => String(e.payload?.command).replace(/\[MASKED:shell-secret:[0-9a-f]{6}\]/, '[MASKED]'));
  assert.deepEqual(commands, [
    "export PS1='vt$ '",
    'echo answer-$((6*7))',
    probe,
    `touch ${marker}`,
    'echo still-here',
    `read -s -p 'Password: ' PW; echo; echo got-\${#PW}`,
    'mysql -uroot -p[MASKED] --version && echo typed-done',
    'stty -echo',
    'echo echo-back',
    'exit',
  ]);
  // The echo arrives a key per frame: the terminal as a replay shows it must not hold the password.
  const screen = events
    .filter((e) => e.type === 'ssh.output')
    .flatMap((e) => e.payload?.frames as [number, string, string][])
    .filter((fr) => fr[1] === 'o')
    .map((fr) => fr[2])
    .join('');
  assert.match(screen, /mysql -uroot -p\[MASKED:shell-secret:[0-9a-f]{6}\]/);
  assert.ok(!screen.includes(TYPED_SECRET), 'the echo of the typed password is in the recorded output');
  const hidden = events.filter((e) => e.type === 'ssh.input' && e.payload?.hidden === true);
  assert.equal(
    hidden.length,
    4,
    'the password line, the blind lines and `stty echo` are recorded as typed, not stored',
  );
  assert.equal(hidden[0]!.payload?.bytes, SECRET.length + 1);
  // Each command line points into the terminal stream: later lines later.
  const offsets = events.filter((e) => e.type === 'ssh.command').map((e) => Number(e.payload?.offset));
  assert.deepEqual(
    [...offsets].sort((a, b) => a - b),
    offsets,
  );

  await f.gateway.recorder.drain();
  await f.gateway.checkpointer.checkpointNow();
  assertSecretNowhere(f.dataDir);
  assert.ok(!containsAnyEncoding(Buffer.from(f.log()), SECRET), 'the password is in the gateway log');
  assert.ok(
    !containsAnyEncoding(Buffer.from(f.log()), TYPED_SECRET),
    'the typed password is in the gateway log',
  );
  await assertLedgerVerifies(f.gateway);
});

test('vigil replay plays the terminal session and jumps to a command; export writes asciicast v2', {
  skip: missing ?? false,
}, async () => {
  const events = await sessionEvents();
  const id = events[0]!.sessionId;
  const list = await runCli(['--data', f.dataDir, 'replay', id, '--transcript']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /ssh\.command #2 echo answer-\$\(\(6\*7\)\)/);
  const played = await runCli(['--data', f.dataDir, 'replay', id, '--speed', '100', '--skip-idle', '0.1']);
  assert.equal(played.code, 0, played.stderr);
  assert.match(played.stdout, /answer-42/);
  const jumped = await runCli(['--data', f.dataDir, 'replay', id, '--at-command', '4', '--speed', '100']);
  assert.equal(jumped.code, 0, jumped.stderr);
  assert.match(jumped.stdout, /still-here/);
  assert.ok(!jumped.stdout.includes('answer-42'), 'the jump starts at the fourth command (the denied touch)');
  const cast = await runCli(['--data', f.dataDir, 'export', id, '--format', 'asciicast', '-o', '-']);
  assert.equal(cast.code, 0, cast.stderr);
  const [header, ...lines] = cast.stdout.trim().split('\n');
  const head = JSON.parse(header!) as { version: number; width: number; height: number };
  assert.equal(head.version, 2);
  assert.equal(head.width, 120);
  const frames = lines.map((l) => JSON.parse(l) as [number, string, string]);
  assert.ok(
    frames.every((fr, i) => i === 0 || fr[0] >= frames[i - 1]![0]),
    'times never go back',
  );
  assert.match(frames.map((fr) => fr[2]).join(''), /answer-42/);
  assert.ok(
    frames.some((fr) => fr[1] === 'm'),
    'each command line is a marker',
  );
  assert.ok(!cast.stdout.includes(SECRET));
});

async function sessionEvents(): Promise<StoredEvent[]> {
  const sessions = await f.sessions({ identity: 'alice' });
  const shell = sessions.find((s) => s.some((e) => e.type === 'ssh.exec' && e.payload?.shell === true));
  assert.ok(shell, 'the shell session is recorded');
  return shell;
}

function containsAnyEncoding(data: Buffer, secret: string): boolean {
  const forms = [
    secret,
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    Buffer.from(secret).toString('hex'),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, 'utf16le').toString('latin1'),
  ];
  const text = data.toString('latin1');
  return forms.some((form) => text.includes(form) || text.toLowerCase().includes(form.toLowerCase()));
}

function assertSecretNowhere(dir: string): void {
  for (const { path, bytes } of dataDirFiles(dir)) {
    assert.ok(!containsAnyEncoding(bytes, SECRET), `the password is in ${path}`);
    assert.ok(
      !containsAnyEncoding(bytes, TYPED_SECRET),
      `the password typed on a command line is in ${path}`,
    );
  }
}
