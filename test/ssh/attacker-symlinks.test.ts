// A symbolic link is a second name for what it points to, for writing as much as for reading. With
// the real OpenSSH sftp client: a rule on `^upload <dir>/vault/` must hold for a link made to the
// vault directory (then written through), and a rule on reading the vault's secret for a link whose
// target is relative, which the host resolves from the link's directory, not from the login one.
// Until 7 December a link read only as a way to read its target, resolved as the text said: `ln -s
// <dir>/vault open/door` then `put x open/door/x` wrote into the vault, and `ln -s ../vault/secret
// open/soft` then `get open/soft` read the secret.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

/** Path segments that are names (no `.` or `..`), then the work directory's own name. */
const WORK = String.raw`^(upload|download) (/[^/.][^/]*)*/vigil-ssh-work-\w+`;
const { missing, f } = sshFixtureForFile({
  policy: {
    rules: [
      { name: 'no-vault-writes', match: { events: ['ssh.file'], pattern: `${WORK}/vault/` }, action: 'deny' },
      {
        name: 'no-secret-reads',
        match: { events: ['ssh.file'], pattern: `${WORK}/vault/secret$` },
        action: 'deny',
      },
    ],
  },
});

const setUp = () => {
  if (existsSync(join(f().work, 'vault'))) return;
  mkdirSync(join(f().work, 'open'));
  mkdirSync(join(f().work, 'vault'));
  writeFileSync(join(f().work, 'vault', 'secret'), 'the secret');
  writeFileSync(join(f().work, 'local.txt'), 'from the client');
};

test('a link to the vault directory is a way to write into it: refused, never made', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const door = join(f().work, 'open', 'door');
  const run = await f().sftp(`ln -s ${f().work}/vault ${door}\nput ${f().work}/local.txt ${door}/planted\n`);
  assert.equal(
    existsSync(join(f().work, 'vault', 'planted')),
    false,
    'the upload through the link reached the vault',
  );
  assert.throws(() => lstatSync(door), 'the link to the vault was made');
  assert.match(run.stderr, /[Pp]ermission denied/);
});

test('a link with a relative target is read from the link directory, as the host resolves it', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const soft = join(f().work, 'open', 'soft');
  const run = await f().sftp(`ln -s ../vault/secret ${soft}\n`);
  assert.match(run.stderr, /[Pp]ermission denied/);
  assert.throws(() => lstatSync(soft), 'a link to the secret was made');
  // A relative link to anything else is made.
  const ok = await f().sftp(`ln -s ../local.txt ${join(f().work, 'open', 'fine')}\n`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(lstatSync(join(f().work, 'open', 'fine')).isSymbolicLink());
});
