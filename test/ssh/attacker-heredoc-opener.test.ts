// A terminal's guard follows a here-document a password is read from (`docker login
// --password-stdin <<EOF`): the lines typed next are the password's, recorded masked. An attacker
// who makes the guard believe one is open when the shell reads none would have the commands typed
// next recorded masked, their text hidden from the record: an opener inside an arithmetic
// expansion (`$((1<<EOF))`, where the shell opens none), or one typed to a program (`cat`) that then
// gets ^D on an empty line and exits. Through the gateway to a real OpenSSH server, tmux driving
// `ssh -tt`: the command typed next must be recorded as typed. Until 6 December both were masked.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sshdMissing } from '../support/openssh-server.js';
import { type SshFixture, startSshFixture } from './ssh-fixture.js';
import { openTmuxShell, type TmuxTerminal, tmuxMissing } from './tmux-terminal.js';

const missing = sshdMissing();
/** Stands in for docker on the host: reads one line from standard input. */
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

test('commands after a here-document opener the shell never opened are recorded as typed', {
  skip: missing ?? tmuxMissing() ?? false,
  timeout: 120_000,
}, async () => {
  terminal = await openTmuxShell(f, 'vigil-ssh-heredoc-opener', { width: 120, height: 40 });
  const { shows } = terminal;
  await terminal.line(STUB);
  // No here-document: `1<<EOF` is a shift in an arithmetic expansion.
  await terminal.line('echo $((1<<EOF)) | docker login --password-stdin');
  await shows('stub-got-1');
  await terminal.line('echo visible-after-arithmetic');
  await shows(/^visible-after-arithmetic$/m);
  // The opener typed to cat, which echoes it; ^D on the empty line ends cat.
  await terminal.line('cat');
  // cat draws nothing when it starts: give it time to read the terminal before the next line.
  await new Promise((r) => setTimeout(r, 1000));
  await terminal.line('docker login --password-stdin <<EOF');
  await shows(/^docker login --password-stdin <<EOF\ndocker login --password-stdin <<EOF$/m);
  await terminal.keys('C-d');
  await terminal.line('echo visible-after-eof');
  await shows(/^visible-after-eof$/m);
  await terminal.line('exit');
  await terminal.ended();

  const sessions = await f.sessions({ identity: 'alice' });
  const events = sessions.find((s) => s.some((e) => e.type === 'ssh.exec' && e.payload?.shell === true));
  assert.ok(events, 'the shell session is recorded');
  const commands = events.filter((e) => e.type === 'ssh.command').map((e) => String(e.payload?.command));
  assert.ok(commands.includes('echo visible-after-arithmetic'), commands.join('\n'));
  assert.ok(commands.includes('echo visible-after-eof'), commands.join('\n'));
  assert.ok(!commands.some((c) => c.includes('[MASKED')), commands.join('\n'));
  const output = events
    .filter((e) => e.type === 'ssh.output')
    .flatMap((e) => e.payload?.frames as [number, string, string][])
    .map((fr) => fr[2])
    .join('');
  assert.ok(!output.includes('[MASKED:here-document]'), output);
});
