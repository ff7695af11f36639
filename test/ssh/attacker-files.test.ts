// Attacks on file rules with the real OpenSSH clients: `sftp`'s own `rename` sends OpenSSH's
// posix-rename extension and `ln` sends the hardlink extension, and `scp -O` runs the legacy scp
// protocol through an exec; none of them was judged as a file action, so a rule on `rename …` or
// `upload …` could be walked around by the plainest client command. Each denied change must leave
// the files as they were and be recorded; allowed ones still work.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { ssh2Client, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({
  policy: {
    rules: [
      {
        name: 'keep-protected',
        match: { events: ['ssh.file'], pattern: '^(rename|hardlink|setstat|remove|upload) .*protected' },
        action: 'deny',
        reason: 'protected files stay where they are',
      },
    ],
  },
});

const sftp = (commands: string, options: readonly string[] = []) => f().sftp(commands, options);

test('sftp rename (posix-rename@openssh.com) is judged as a rename: a denied one leaves the file in place', {
  skip: missing ?? false,
}, async () => {
  const protectedFile = join(f().work, 'protected-a.txt');
  const moved = join(f().work, 'moved-a.txt');
  writeFileSync(protectedFile, 'keep me');
  const run = await sftp(`rename ${protectedFile} ${moved}\n`);
  assert.equal(existsSync(protectedFile), true, 'the denied rename moved the file');
  assert.equal(existsSync(moved), false);
  assert.match(run.stderr, /[Pp]ermission denied/);
  const events = await f().events({ identity: 'alice' });
  const rename = events.find((e) => e.type === 'ssh.file' && e.payload?.operation === 'rename');
  assert.equal(rename?.payload?.path, protectedFile);
  assert.equal(rename?.payload?.target, moved);

  // An allowed rename still goes through the same way.
  const free = join(f().work, 'free-a.txt');
  writeFileSync(free, 'move me');
  const ok = await sftp(`rename ${free} ${join(f().work, 'free-b.txt')}\n`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(existsSync(join(f().work, 'free-b.txt')), true);
});

test('sftp ln (hardlink@openssh.com) is judged as a hardlink: a denied one creates no link', {
  skip: missing ?? false,
}, async () => {
  const protectedFile = join(f().work, 'protected-b.txt');
  const link = join(f().work, 'link-b.txt');
  writeFileSync(protectedFile, 'do not link me');
  const run = await sftp(`ln ${protectedFile} ${link}\n`);
  assert.equal(existsSync(link), false, 'the denied hardlink was made');
  assert.match(run.stderr, /[Pp]ermission denied/);
  const events = await f().events({ identity: 'alice' });
  assert.ok(events.some((e) => e.type === 'ssh.file' && e.payload?.operation === 'hardlink'));
});

test('fchmod on a handle (FSETSTAT, ssh2 as the client) is judged as a setstat of the path it was opened with', {
  skip: missing ?? false,
}, async () => {
  const protectedFile = join(f().work, 'protected-c.txt');
  writeFileSync(protectedFile, 'keep my mode', { mode: 0o640 });
  chmodSync(protectedFile, 0o640);
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    const outcome = await new Promise<string>((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) return reject(err);
        sftp.open(protectedFile, 'r', (openErr, handle) => {
          if (openErr) return reject(openErr);
          sftp.fchmod(handle, 0o666, (chmodErr) => resolve(chmodErr ? chmodErr.message : 'changed'));
        });
      });
    });
    assert.match(outcome, /vigil: policy_denied/);
  } finally {
    client.end();
  }
  assert.equal(statSync(protectedFile).mode & 0o777, 0o640, 'the denied fchmod changed the mode');
  const events = await f().events({ identity: 'alice' });
  assert.ok(
    events.some(
      (e) => e.type === 'ssh.file' && e.payload?.operation === 'setstat' && e.payload?.path === protectedFile,
    ),
  );
});

test('legacy scp (scp -O) to a path a file rule denies is refused before the host runs scp', {
  skip: missing ?? false,
}, async () => {
  const local = join(f().work, 'local-upload.txt');
  writeFileSync(local, 'payload');
  const remote = join(f().work, 'protected-scp.txt');
  const run = await f().scp(['-O', local, `alice@127.0.0.1:${remote}`]);
  assert.notEqual(run.code, 0);
  assert.equal(existsSync(remote), false, 'the denied scp upload created its file');
  const events = await f().events({ identity: 'alice' });
  assert.ok(
    events.some((e) => e.type === 'ssh.file' && e.payload?.via === 'scp' && e.payload?.path === remote),
  );
  // An allowed one still arrives.
  const allowed = join(f().work, 'free-scp.txt');
  const ok = await f().scp(['-O', local, `alice@127.0.0.1:${allowed}`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(existsSync(allowed), true);
});

test('sftp -s PATH (the sftp server run as a command, not the subsystem) is read and judged as sftp', {
  skip: missing ?? false,
}, async () => {
  const local = join(f().work, 'local-upload-s.txt');
  writeFileSync(local, 'payload');
  const remote = join(f().work, 'protected-exec-sftp.txt');
  const run = await sftp(`put ${local} ${remote}\n`, ['-s', '/usr/lib/openssh/sftp-server']);
  assert.equal(existsSync(remote), false, 'the denied upload through the sftp server as a command was made');
  assert.match(run.stderr, /[Pp]ermission denied/);
});

test('an sftp session spoken to any other command (a renamed sftp-server) is refused, not relayed unread', {
  skip: missing ?? false,
}, async () => {
  const server = join(f().work, 'xfer');
  copyFileSync('/usr/lib/openssh/sftp-server', server);
  chmodSync(server, 0o755);
  const local = join(f().work, 'local-upload-r.txt');
  writeFileSync(local, 'payload');
  const remote = join(f().work, 'protected-renamed-sftp.txt');
  const run = await sftp(`put ${local} ${remote}\n`, ['-s', server]);
  assert.notEqual(run.code, 0);
  assert.equal(existsSync(remote), false, 'the upload through a renamed sftp server was made');
});
