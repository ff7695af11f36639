// Attacks through a shell's input and a command's text rather than a terminal: `ssh -T host` with
// commands piped in (a shell with no terminal reads its commands from the channel's input, where
// the interactive guard never looked), and a command split by a line continuation. Each tries to
// create a marker file a deny rule forbids; the file must never appear, and what did run must be
// recorded as commands.
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
        name: 'no-shred',
        match: { events: ['ssh.exec', 'ssh.command'], tools: ['shred'] },
        action: 'deny',
        reason: 'no shredding',
      },
    ],
  },
});

async function lastSessionCommands(): Promise<Record<string, unknown>[]> {
  const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
  return events!.filter((e) => e.type === 'ssh.command').map((e) => e.payload ?? {});
}

test('ssh -T with commands piped in: each line is judged before the shell reads it; a denied line never runs, nor any after it', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'forbidden-marker-stdin');
  const after = join(f().work, 'after-denied-stdin');
  const run = await f().ssh(
    'alice',
    ['-T', 'alice@127.0.0.1'],
    `echo first-ran\ntouch ${marker}\ntouch ${after}\n`,
  );
  assert.equal(existsSync(marker), false, 'the denied line ran');
  assert.equal(existsSync(after), false, 'a line after the denied one ran');
  assert.match(run.stdout, /first-ran/);
  assert.match(run.stderr, /vigil: policy_denied: denied by rule no-forbidden/);
  assert.equal(run.code, 126);
  const commands = await lastSessionCommands();
  assert.deepEqual(
    commands.map((c) => [c.command, c.source]),
    [
      ['echo first-ran', 'stdin'],
      [`touch ${marker}`, 'stdin'],
    ],
  );
});

test('ssh -T: an allowed script runs whole, a last line without a newline included, and every line is recorded', {
  skip: missing ?? false,
}, async () => {
  const run = await f().ssh(
    'alice',
    ['-T', 'alice@127.0.0.1'],
    'echo one\n\necho "two \\\nthree"\necho four',
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'one\ntwo three\nfour\n');
  const commands = await lastSessionCommands();
  assert.deepEqual(
    commands.map((c) => c.command),
    ['echo one', 'echo "two \\', 'echo "two \\\nthree"', 'echo four'],
  );
});

test('a command word split by a line continuation is judged as the shell reads it (tools and pattern)', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'forbidden-marker-exec');
  const cut = marker.indexOf('forbidden-') + 'forbidden-'.length;
  const split = `touch ${marker.slice(0, cut)}\\\n${marker.slice(cut)}`;
  const run = await f().ssh('alice', ['alice@127.0.0.1', split]);
  assert.equal(run.code, 126, run.stderr);
  assert.match(run.stderr, /denied by rule no-forbidden/);
  assert.equal(existsSync(marker), false, 'the split command ran');

  const victim = join(f().work, 'shred-victim');
  await f().ssh('alice', ['alice@127.0.0.1', `echo data > ${victim}`]);
  const shred = await f().ssh('alice', ['alice@127.0.0.1', `sh\\\nred -u ${victim}`]);
  assert.match(shred.stderr, /denied by rule no-shred/);
  assert.equal(existsSync(victim), true, 'the split shred ran');
});

test('ssh -T: a line split by a continuation is judged with the line before it', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'forbidden-marker-stdin-cont');
  const cut = marker.indexOf('forbidden-') + 'forbidden-'.length;
  const run = await f().ssh(
    'alice',
    ['-T', 'alice@127.0.0.1'],
    `touch ${marker.slice(0, cut)}\\\n${marker.slice(cut)}\n`,
  );
  assert.equal(existsSync(marker), false, 'the continued line ran');
  assert.match(run.stderr, /denied by rule no-forbidden/);
});

test('a denied command name written with quotes, backslashes, a reserved word or a redirection before it is still that command', {
  skip: missing ?? false,
}, async () => {
  const victim = join(f().work, 'shred-victim-quoted');
  await f().ssh('alice', ['alice@127.0.0.1', `echo data > ${victim}`]);
  const forms = [
    '\\shred',
    "sh''red",
    '"sh"red',
    "$'\\x73hred'",
    'true; then shred',
    '! shred',
    '>/dev/null shred',
    '2>&1 shred',
    'a[0]=1 shred',
  ];
  for (const form of forms) {
    const command =
      form === 'true; then shred' ? `if true; then shred -u ${victim}; fi` : `${form} -u ${victim}`;
    const run = await f().ssh('alice', ['alice@127.0.0.1', command]);
    assert.match(run.stderr, /denied by rule no-shred/, command);
    assert.equal(existsSync(victim), true, `${command}: the shred ran`);
  }
});

test('ssh host bash (or sh -s) with commands piped in: the shell reads commands, so each line is judged', {
  skip: missing ?? false,
}, async () => {
  for (const shell of ['bash', 'sh -s', '/bin/dash']) {
    const marker = join(f().work, `forbidden-marker-${shell.replace(/\W/g, '')}`);
    const run = await f().ssh('alice', ['alice@127.0.0.1', shell], `echo via-${shell}\ntouch ${marker}\n`);
    assert.equal(existsSync(marker), false, `${shell}: the denied line ran`);
    assert.match(run.stderr, /denied by rule no-forbidden/, shell);
    assert.equal(run.code, 126, shell);
    const commands = await lastSessionCommands();
    assert.deepEqual(
      commands.map((c) => c.command),
      [`echo via-${shell}`, `touch ${marker}`],
    );
  }
  // A command that is not a shell gets its input as data, unjudged (recorded by size and digest).
  const data = await f().ssh('alice', ['alice@127.0.0.1', 'wc -l'], 'touch forbidden-marker-as-data\n');
  assert.equal(data.code, 0, data.stderr);
  assert.equal(data.stdout.trim(), '1');
});
