// The sftp server and scp's server side are read (each file judged) only when the command is the
// exact form Vigil reads: the sftp subsystem, `sftp-server` alone, `scp -t PATH`/`scp -f PATH`
// alone. Until 6 December any other start of them passed their file operations as unread data: a
// command that ate a prefix of the input before the server (`head -c1; sftp-server`) kept the
// SFTP INIT out of the sniffer's sight, a wrapper (`env scp -t`) was not read as scp, and a shell
// reading its input ran `scp -t` from a line and fed it the next ones. Each variant here writes a
// file a deny rule on `upload …protected` forbids; it must never appear. An environment request
// that makes the host's shell run code (BASH_ENV, SHELLOPTS, …) is refused too.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { NO_FORBIDDEN_MARKER, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({
  policy: {
    rules: [
      NO_FORBIDDEN_MARKER,
      {
        name: 'no-protected-uploads',
        match: { events: ['ssh.file'], pattern: '^upload .*protected' },
        action: 'deny',
        reason: 'protected files are not written',
      },
    ],
  },
});

/** An SFTP packet: uint32 length, then the body (kept under 128 bytes: its string is its bytes). */
function packet(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  assert.ok(body.length < 128);
  return Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
}
const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
const str = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);

/** INIT, then an OPEN that creates the file (WRITE|CREAT|TRUNC), sent without waiting for answers. */
function sftpCreate(path: string): string {
  const init = packet(Buffer.from([1]), u32(3));
  const open = packet(Buffer.from([3]), u32(1), str(path), u32(0x1a), u32(0));
  return Buffer.concat([init, open]).toString('latin1');
}

test('an sftp server after a command that eats a prefix of the input is refused, not relayed unread', {
  skip: missing ?? false,
}, async () => {
  for (const [n, [command, prefix]] of [
    ['head -c1 >/dev/null; /usr/lib/openssh/sftp-server', 'x'],
    ['dd bs=1 count=3 of=/dev/null 2>/dev/null; sftp-server', 'xyz'],
    ["head -c1 >/dev/null; exec /usr/lib/openssh/s'f'tp-server", 'x'],
  ].entries()) {
    const target = join(f().work, `protected-sftp-${n}`);
    const run = await f().ssh('alice', ['alice@127.0.0.1', command!], prefix + sftpCreate(target));
    assert.equal(existsSync(target), false, `${command}: the server opened the file unjudged`);
    assert.equal(run.code, 126, `${command}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, command);
    const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
    const exec = events!.find((e) => e.type === 'ssh.exec');
    assert.equal(exec?.payload?.command, command);
  }
});

test('scp -t behind a wrapper, a quote or a prefix is refused: its stream would pass unread', {
  skip: missing ?? false,
}, async () => {
  for (const [n, command] of [
    'env scp -t DIR',
    'nice -n 1 scp -t DIR',
    'timeout 60 /usr/bin/scp -t DIR',
    'head -c0; \\scp -t DIR',
    'x=scp; $x -t DIR',
  ].entries()) {
    const target = join(f().work, `protected-scp-${n}`);
    const run = await f().ssh(
      'alice',
      ['alice@127.0.0.1', command.replace('DIR', f().work)],
      `C0644 6 protected-scp-${n}\nhello\n\0`,
    );
    assert.equal(existsSync(target), false, `${command}: scp wrote the file unjudged`);
    assert.equal(run.code, 126, `${command}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, command);
  }
  // The form Vigil reads is still read, file by file: the denied name is refused by its rule.
  const plain = await f().ssh(
    'alice',
    ['alice@127.0.0.1', `scp -t ${f().work}`],
    'C0644 6 protected-scp-plain\nhello\n\0',
  );
  assert.equal(existsSync(join(f().work, 'protected-scp-plain')), false);
  assert.match(plain.stderr, /denied by rule no-protected-uploads/);
});

test('scp -t started from a line of a shell reading its input is refused: the next lines would be its stream', {
  skip: missing ?? false,
}, async () => {
  const target = join(f().work, 'protected-scp-stdin');
  const run = await f().ssh(
    'alice',
    ['alice@127.0.0.1', 'bash'],
    `echo start\nscp -t ${f().work}\nC0644 6 protected-scp-stdin\nhello\n`,
  );
  assert.equal(existsSync(target), false, 'scp wrote the file from lines judged as commands');
  assert.equal(run.code, 126, run.stderr);
  assert.match(run.stderr, /statement_uncertain/);
  assert.equal(run.stdout, 'start\n');
});

test('an environment request that makes the host shell run code is refused before anything starts', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'env-ran');
  for (const variable of ['BASH_ENV=/tmp/x', 'SHELLOPTS=history:histexpand', 'LD_PRELOAD=/tmp/x.so']) {
    const run = await f().ssh('alice', ['-o', `SetEnv=${variable}`, 'alice@127.0.0.1', `touch ${marker}`]);
    assert.equal(run.code, 126, `${variable}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, variable);
    assert.equal(existsSync(marker), false, variable);
    const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
    const exec = events!.find((e) => e.type === 'ssh.exec');
    const [name, value] = variable.split('=');
    assert.equal((exec!.payload!.env as Record<string, string>)[name!], value);
  }
  // The variables the host's AcceptEnv usually names pass as before.
  const ok = await f().ssh('alice', ['-o', 'SetEnv=LC_TEST=x', 'alice@127.0.0.1', 'echo "$LC_TEST"']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'x\n');
});
