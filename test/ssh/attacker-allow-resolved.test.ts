// An allow rule must hold where a path leads on the host, not only for the path as written. With
// `default: deny` and an allow on the work directory's open/ only, a link open/x -> vault made on
// the host before the session (outside Vigil) let the real OpenSSH sftp and scp clients (scp -O
// too) write, read, remove, make directories and rename in the vault: the allow matched the written
// path, and the resolved one was seen by deny, review and alert rules alone. A rename or link is
// allowed only when both of its ends are: `rename open/b vault/b` was allowed by its source alone.
// Fixed 7 December 2026 (src/protocols/ssh/file-judging.ts).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

/** Path segments that are names (no `.` or `..`), then the work directory's own name. */
const WORK = String.raw`(/[^/.][^/]*)*/vigil-ssh-work-\w+`;
const { missing, f } = sshFixtureForFile({
  policy: {
    default: 'deny',
    rules: [
      // Remote commands (scp -t / scp -f) and the sftp subsystem start; their files are judged apart.
      { name: 'commands', match: { events: ['ssh.exec'] }, action: 'allow' },
      // Looking around (SFTP STAT, REALPATH, directory listings) anywhere.
      { name: 'look', match: { events: ['ssh.file'], pattern: '^(stat|list) ' }, action: 'allow' },
      {
        name: 'open-files',
        match: {
          events: ['ssh.file'],
          pattern: `^(upload|download|remove|mkdir|rmdir|rename|symlink|setstat|hardlink) ${WORK}/open/`,
        },
        action: 'allow',
      },
    ],
  },
});

const setUp = () => {
  const w = f().work;
  if (existsSync(join(w, 'vault'))) return;
  mkdirSync(join(w, 'open'));
  mkdirSync(join(w, 'open', 'dir'));
  mkdirSync(join(w, 'vault'));
  writeFileSync(join(w, 'vault', 'secret'), 'the secret');
  writeFileSync(join(w, 'local.txt'), 'from the client');
  for (const name of ['a', 'b', 'c']) writeFileSync(join(w, 'open', name), `file ${name}`);
  // Links made on the host outside Vigil, before the session.
  symlinkSync(join(w, 'vault'), join(w, 'open', 'x'));
  symlinkSync(join(w, 'vault', 'secret'), join(w, 'open', 'pw'));
  symlinkSync(join(w, 'open', 'dir'), join(w, 'open', 'self'));
};

test('sftp: an allow on open/ does not reach the vault through a link made outside Vigil', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const got = join(w, 'got.txt');
  const tries = [
    `put ${w}/local.txt ${w}/open/x/planted`,
    `get ${w}/open/x/secret ${got}`,
    `get ${w}/open/pw ${got}`,
    `put ${w}/local.txt ${w}/open/pw`,
    `rm ${w}/open/x/secret`,
    `mkdir ${w}/open/x/made`,
    `rename ${w}/open/a ${w}/open/x/moved`,
    `chmod 600 ${w}/open/x/secret`,
  ];
  for (const line of tries) {
    const run = await f().sftp(`${line}\n`);
    assert.match(run.stderr, /[Pp]ermission denied/, `${line}: ${run.stderr}`);
  }
  assert.equal(readFileSync(join(w, 'vault', 'secret'), 'utf8'), 'the secret', 'the secret was written');
  assert.equal(existsSync(got), false, 'the secret was read through the link');
  for (const name of ['planted', 'made', 'moved']) {
    assert.equal(existsSync(join(w, 'vault', name)), false, `${name} reached the vault`);
  }
  assert.ok(existsSync(join(w, 'open', 'a')), 'open/a was renamed into the vault');
  const events = await f().events();
  const refused = events.find(
    (e) =>
      e.type === 'ssh.file' &&
      (e.payload as { path?: string }).path === `${w}/open/x/planted` &&
      (e.payload as { judged_reading?: string }).judged_reading === 'resolved_path',
  );
  assert.ok(refused, 'the refused upload was recorded with the reading that decided it');
  assert.equal((refused.payload as { resolved_path?: string }).resolved_path, `${w}/vault/planted`);
});

test('sftp: a rename or a link is allowed only when both of its ends are', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const rename = await f().sftp(`rename ${w}/open/b ${w}/vault/b\n`);
  assert.match(rename.stderr, /[Pp]ermission denied/, rename.stderr);
  assert.ok(existsSync(join(w, 'open', 'b')), 'open/b was renamed out of open/');
  assert.equal(existsSync(join(w, 'vault', 'b')), false, 'the rename reached the vault');
  const link = await f().sftp(`ln ${w}/open/c ${w}/vault/c\n`);
  assert.match(link.stderr, /[Pp]ermission denied/, link.stderr);
  assert.equal(existsSync(join(w, 'vault', 'c')), false, 'the hard link reached the vault');
});

test('sftp: work inside open/, through a link that stays there, still passes', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const run = await f().sftp(
    `put ${w}/local.txt ${w}/open/fine.txt\nrename ${w}/open/fine.txt ${w}/open/dir/fine.txt\n` +
      `put ${w}/local.txt ${w}/open/self/through.txt\nmkdir ${w}/open/self/sub\n`,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(join(w, 'open', 'dir', 'fine.txt'), 'utf8'), 'from the client');
  assert.equal(readFileSync(join(w, 'open', 'dir', 'through.txt'), 'utf8'), 'from the client');
  assert.ok(existsSync(join(w, 'open', 'dir', 'sub')));
});

test('scp and scp -O: an allow on open/ does not reach the vault through the link', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const local = mkdtempSync(join(tmpdir(), 'vigil-scp-allow-'));
  const target = (path: string) => `alice@127.0.0.1:${path}`;
  const runs = [
    await f().scp([join(w, 'local.txt'), target(`${w}/open/x/planted-scp`)]),
    await f().scp([target(`${w}/open/x/secret`), join(local, 'got-scp')]),
    await f().scp(['-O', join(w, 'local.txt'), target(`${w}/open/x/planted-o`)]),
    await f().scp(['-O', target(`${w}/open/x/secret`), join(local, 'got-o')]),
  ];
  for (const run of runs) assert.notEqual(run.code, 0, run.stderr);
  for (const name of ['planted-scp', 'planted-o']) {
    assert.equal(existsSync(join(w, 'vault', name)), false, `${name} reached the vault`);
  }
  for (const name of ['got-scp', 'got-o']) {
    assert.equal(existsSync(join(local, name)), false, `${name}: the secret was read`);
  }
  const fine = await f().scp(['-O', join(w, 'local.txt'), target(`${w}/open/self/scp-o.txt`)]);
  assert.equal(fine.code, 0, fine.stderr);
  assert.equal(readFileSync(join(w, 'open', 'dir', 'scp-o.txt'), 'utf8'), 'from the client');
  const fine2 = await f().scp([join(w, 'local.txt'), target(`${w}/open/self/scp.txt`)]);
  assert.equal(fine2.code, 0, fine2.stderr);
  assert.equal(readFileSync(join(w, 'open', 'dir', 'scp.txt'), 'utf8'), 'from the client');
});
