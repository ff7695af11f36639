// A shell started without a terminal reads its commands from the channel's input, which Vigil
// judges line by line (stdin-commands.ts). Until 5 December it did so only when the remote command
// was a shell alone (`bash`, `sh -s`): the same shell behind a redirection, a wrapper, a pipe or a
// list, or told to read `/dev/stdin` as its script, got the input as data, unjudged. Each variant
// here pipes in a line a deny rule forbids; the marker file must never appear.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_FORBIDDEN_MARKER, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({ policy: { rules: [NO_FORBIDDEN_MARKER] } });

test('a shell behind a redirection, a wrapper, a pipe or a list still reads commands: each piped line is judged', {
  skip: missing ?? false,
}, async () => {
  const variants = [
    'bash 2>&1',
    'cd / && bash',
    'env bash',
    'nice -n 1 sh',
    'cat | bash',
    'bash /dev/stdin',
    'sh --',
    'bash --noprofile --rcfile /dev/null',
  ];
  for (const [n, command] of variants.entries()) {
    const marker = join(f().work, `forbidden-marker-wrapped-${n}`);
    const run = await f().ssh('alice', ['alice@127.0.0.1', command], `echo via-${n}\ntouch ${marker}\n`);
    assert.equal(existsSync(marker), false, `${command}: the denied line ran`);
    assert.match(run.stderr, /denied by rule no-forbidden/, command);
    assert.equal(run.code, 126, command);
    const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
    const commands = events!.filter((e) => e.type === 'ssh.command').map((e) => e.payload?.command);
    assert.deepEqual(commands, [`echo via-${n}`, `touch ${marker}`], command);
  }
});

test('a command that runs no shell still gets its input as data, and a shell given a script or -c does too', {
  skip: missing ?? false,
}, async () => {
  for (const command of ['wc -l', 'bash -c "wc -l"', 'cat | wc -l', 'env LC_ALL=C wc -l']) {
    const run = await f().ssh('alice', ['alice@127.0.0.1', command], 'touch forbidden-marker-as-data\n');
    assert.equal(run.code, 0, `${command}: ${run.stderr}`);
    assert.equal(run.stdout.trim(), '1', command);
  }
});

/** An SFTP STAT request (never judged: it changes nothing) whose path hides shell lines. */
function statPacket(path: string): string {
  const body = Buffer.concat([
    Buffer.from([17, 0, 0, 0, 1]),
    Buffer.from([0, 0, 0, Buffer.byteLength(path)]),
    Buffer.from(path),
  ]);
  // Kept under 128 bytes, so the string is its bytes (ASCII) on the ssh client's input.
  assert.ok(body.length < 128);
  return Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]).toString('latin1');
}

test('the sftp server followed by a shell is not sftp: the shell reads the input, so its lines are judged', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'forbidden-marker-sftp-then-shell');
  // sftp-server -h prints its usage and exits; bash then reads what the relay took for SFTP
  // packets, dropping the NUL bytes of their headers and running the lines hidden in a path.
  const command = '/usr/lib/openssh/sftp-server -h; bash';
  const run = await f().ssh('alice', ['alice@127.0.0.1', command], statPacket(`\ntouch ${marker}\n`));
  assert.equal(existsSync(marker), false, `${command}: the hidden line ran`);
  assert.equal(run.code, 126, run.stderr);
  assert.match(run.stderr, /statement_uncertain/);
});

test('bash -i (or after set -H) expands history on its input: a line built from earlier ones is refused, never run', {
  skip: missing ?? false,
}, async () => {
  for (const [n, [command, prelude]] of [
    ['bash -i', ''],
    ['bash', 'set -H\n'],
  ].entries()) {
    // Each line alone is allowed; `!!:1marker` makes the denied name from the echo's word.
    const stem = join(f().work, `forbidden-history-${n}-`);
    const run = await f().ssh(
      'alice',
      ['alice@127.0.0.1', command!],
      `${prelude}echo ${stem}\ntouch !!:1marker\n`,
    );
    assert.equal(existsSync(`${stem}marker`), false, `${command}: the line from the history ran`);
    assert.match(run.stderr, /statement_uncertain/, command);
    assert.equal(run.code, 126, command);
  }
  // Without interactive mode or set -H, a `!` is text, not an event: it is passed on.
  const plain = await f().ssh('alice', ['alice@127.0.0.1', 'bash'], 'echo "wow!!"\n');
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, 'wow!!\n');
});

test('sudo -S in front of a shell reading its input is refused: its first line may be a password or a command', {
  skip: missing ?? false,
}, async () => {
  // Whether sudo reads the first line as its password depends on whether it asks for one. Judged and
  // recorded as a command line, the password would be stored; passed on unrecorded, it may run.
  const password = 'plum orchard nine';
  for (const command of ['sudo -S -s', 'sudo -Si', 'sudo --stdin bash']) {
    const run = await f().ssh(
      'alice',
      ['alice@127.0.0.1', command],
      `${password}\ntouch forbidden-marker-sudo\n`,
    );
    assert.notEqual(run.code, 0, command);
    assert.match(run.stderr, /sudo -S reads a password from the input/, command);
    const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
    const refused = events!.find((e) => e.type === 'ssh.exec');
    assert.equal(refused?.payload?.command, command);
    assert.ok(!JSON.stringify(events).includes(password), `${command}: the password line is not stored`);
  }
});
