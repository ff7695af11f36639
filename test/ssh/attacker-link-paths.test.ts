// A path is judged where it leads on the host, not by its words. With the real OpenSSH sftp
// client and links made outside Vigil (or in the session, to a directory above the vault), a rule
// on `^upload <dir>/vault/` must hold for `put x open/root/vault/x`, for a write through a link
// that is the last component, for one through a dangling link (O_CREAT makes its target), and a
// rule on reading the vault's secret for `get open/pre/secret`. Until 7 December only a link made
// in the session, and only its own target, was read so: `ln -s <dir> open/up` then
// `put x open/up/vault/x` wrote into the vault.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

/** Path segments that are names (no `.` or `..`), then the work directory's own name. */
const WORK = String.raw`^(upload|download|remove|mkdir|rmdir|rename|symlink|setstat|hardlink) (/[^/.][^/]*)*/vigil-ssh-work-\w+`;
const { missing, f } = sshFixtureForFile({
  policy: {
    rules: [
      {
        name: 'no-vault-changes',
        match: { events: ['ssh.file'], pattern: `${WORK}/vault/` },
        action: 'deny',
      },
      {
        name: 'no-secret-reads',
        match: { events: ['ssh.file'], pattern: `${WORK}/vault/secret$` },
        action: 'deny',
      },
    ],
  },
});

const setUp = () => {
  const w = f().work;
  if (existsSync(join(w, 'vault'))) return;
  mkdirSync(join(w, 'open'));
  mkdirSync(join(w, 'vault'));
  writeFileSync(join(w, 'vault', 'secret'), 'the secret');
  writeFileSync(join(w, 'local.txt'), 'from the client');
  // Links made on the host outside Vigil, before the session.
  symlinkSync(join(w, 'vault'), join(w, 'open', 'pre'));
  symlinkSync(join(w, 'vault', 'secret'), join(w, 'open', 'pw'));
  symlinkSync(join(w, 'vault', 'new'), join(w, 'open', 'dangling'));
  symlinkSync('..', join(w, 'open', 'up-rel'));
};

test('a write beneath a link made in the session to a directory above the vault is refused', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const run = await f().sftp(`ln -s ${w} ${w}/open/up\nput ${w}/local.txt ${w}/open/up/vault/planted\n`);
  assert.equal(
    existsSync(join(w, 'vault', 'planted')),
    false,
    'the upload through the link reached the vault',
  );
  assert.match(run.stderr, /[Pp]ermission denied/);
});

test('writes beneath and through links made outside Vigil are judged where they lead', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const tries = [
    `put ${w}/local.txt ${w}/open/pre/planted`,
    `put ${w}/local.txt ${w}/open/up-rel/vault/planted`,
    `mkdir ${w}/open/pre/made`,
    `rm ${w}/open/pre/secret`,
    `rename ${w}/local.txt ${w}/open/pre/moved`,
    `ln -s /tmp ${w}/open/pre/door`,
    `chmod 777 ${w}/open/pw`,
    `put ${w}/local.txt ${w}/open/pw`,
    `put ${w}/local.txt ${w}/open/dangling`,
  ];
  for (const line of tries) {
    const run = await f().sftp(`${line}\n`);
    assert.match(run.stderr, /[Pp]ermission denied|vigil/, `${line}: ${run.stderr}`);
  }
  assert.equal(readFileSync(join(w, 'vault', 'secret'), 'utf8'), 'the secret', 'the secret was written');
  for (const name of ['planted', 'made', 'moved', 'door', 'new']) {
    assert.equal(existsSync(join(w, 'vault', name)), false, `${name} reached the vault`);
  }
  assert.ok(existsSync(join(w, 'local.txt')), 'the file was renamed into the vault');
});

test('a read beneath a link made outside Vigil is judged where it leads', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const out = join(w, 'got.txt');
  const run = await f().sftp(`get ${w}/open/pre/secret ${out}\n`);
  assert.equal(existsSync(out), false, 'the secret was read through the link');
  assert.match(run.stderr, /[Pp]ermission denied/);
});

test('ordinary writes still pass, and where a write led is recorded', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const run = await f().sftp(
    `put ${w}/local.txt ${w}/open/fine.txt\nmkdir ${w}/open/dir\nrename ${w}/open/fine.txt ${w}/open/dir/fine.txt\n` +
      `ln -s ${w}/open/dir ${w}/open/self\nput ${w}/local.txt ${w}/open/self/through.txt\n`,
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(join(w, 'open', 'dir', 'fine.txt'), 'utf8'), 'from the client');
  assert.equal(readFileSync(join(w, 'open', 'dir', 'through.txt'), 'utf8'), 'from the client');
  const events = await f().events();
  const through = events.find(
    (e) => e.type === 'ssh.file' && (e.payload as { path?: string }).path === `${w}/open/self/through.txt`,
  );
  assert.ok(through, 'the upload through the harmless link was recorded');
  assert.equal((through.payload as { resolved_path?: string }).resolved_path, `${w}/open/dir/through.txt`);
});

test('legacy scp (scp -O) is judged where its paths lead: a file, a directory or a read through a link', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const local = mkdtempSync(join(tmpdir(), 'vigil-scp-src-'));
  mkdirSync(join(local, 'pre'));
  writeFileSync(join(local, 'pre', 'planted-r'), 'from the client');
  const one = await f().scp(['-O', join(w, 'local.txt'), `alice@127.0.0.1:${w}/open/pre/planted-scp`]);
  const tree = await f().scp(['-O', '-r', join(local, 'pre'), `alice@127.0.0.1:${w}/open`]);
  const read = await f().scp(['-O', `alice@127.0.0.1:${w}/open/pre/secret`, join(local, 'got')]);
  for (const run of [one, tree, read]) assert.notEqual(run.code, 0, run.stderr);
  assert.equal(
    existsSync(join(w, 'vault', 'planted-scp')),
    false,
    'scp wrote into the vault through the link',
  );
  assert.equal(
    existsSync(join(w, 'vault', 'planted-r')),
    false,
    'scp -r wrote into the vault through the link',
  );
  assert.equal(existsSync(join(local, 'got')), false, 'scp read the secret through the link');
  // An scp through a harmless link still works.
  const ok = await f().scp(['-O', join(w, 'local.txt'), `alice@127.0.0.1:${w}/open/self/scp.txt`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(readFileSync(join(w, 'open', 'dir', 'scp.txt'), 'utf8'), 'from the client');
});
