// Attacks on file rules by how a path is spelled, with the real OpenSSH sftp client: a rule on
// `^upload <dir>/vault/` must hold for `<dir>/open/../vault/x`, for `//` and `/./` in the path, for
// a file uploaded elsewhere and renamed into the vault, and a rule on reading the vault's secret
// must hold for a link made to it (which is then read under another name). The legacy scp protocol
// (`scp -O -r`) names each file in its stream, under the directory on its command line: each file
// must be judged, not only that directory.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sshdMissing } from '../support/openssh-server.js';
import { type SshFixture, startSshFixture } from './ssh-fixture.js';

const missing = sshdMissing();
let f: SshFixture;
/** Path segments that are names (no `.` or `..`), then the work directory's own name. */
const WORK = String.raw`^(upload|download) (/[^/.][^/]*)*/vigil-ssh-work-\w+`;

before(async () => {
  if (missing) return;
  f = await startSshFixture({
    policy: {
      rules: [
        {
          name: 'no-vault-writes',
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
  mkdirSync(join(f.work, 'open'));
  mkdirSync(join(f.work, 'vault'));
  writeFileSync(join(f.work, 'vault', 'secret'), 'the secret');
  writeFileSync(join(f.work, 'local.txt'), 'from the client');
});
after(async () => {
  if (!missing) await f.close();
});

const sftp = (commands: string, options: readonly string[] = []) => f.sftp(commands, options);

test('an upload into the vault spelled with .., // or /./ is denied; the file is never made', {
  skip: missing ?? false,
}, async () => {
  const local = join(f.work, 'local.txt');
  for (const [name, path] of [
    ['a.txt', `${f.work}/open/../vault/a.txt`],
    ['b.txt', `${f.work}//vault/b.txt`],
    ['c.txt', `${f.work}/./vault/./c.txt`],
  ] as const) {
    const run = await sftp(`put ${local} ${path}\n`);
    assert.match(run.stderr, /[Pp]ermission denied/, path);
    assert.equal(existsSync(join(f.work, 'vault', name)), false, `${path} was written`);
  }
  // The same upload outside the vault goes through. (One spelled through the vault, `vault/../open`,
  // is denied: a deny rule matches the path as sent too, and where `vault` is a symbolic link the
  // host does not resolve `..` as the text does.)
  const ok = await sftp(`put ${local} ${f.work}//open/./d.txt\n`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(existsSync(join(f.work, 'open', 'd.txt')), true, `${ok.stdout} ${ok.stderr}`);
  const refused = (await f.events({ identity: 'alice' })).filter(
    (e) => e.type === 'policy.decision' && e.payload?.rule === 'no-vault-writes',
  );
  assert.equal(refused.length, 3);
});

test('a file renamed into the vault is an upload there; a link to the secret is a read of it', {
  skip: missing ?? false,
}, async () => {
  const staged = join(f.work, 'open', 'staged.txt');
  writeFileSync(staged, 'renamed in');
  const rename = await sftp(`rename ${staged} ${f.work}/vault/staged.txt\n`);
  assert.match(rename.stderr, /[Pp]ermission denied/);
  assert.equal(existsSync(join(f.work, 'vault', 'staged.txt')), false, 'the rename into the vault ran');
  assert.equal(existsSync(staged), true);

  for (const [command, link] of [
    ['ln -s', join(f.work, 'open', 'soft')],
    ['ln', join(f.work, 'open', 'hard')],
  ] as const) {
    const run = await sftp(`${command} ${f.work}/vault/secret ${link}\n`);
    assert.match(run.stderr, /[Pp]ermission denied/, command);
    assert.throws(() => lstatSync(link), `${command} made a link to the secret`);
  }
  // A link to anything else is made.
  const ok = await sftp(`ln -s ${staged} ${join(f.work, 'open', 'fine')}\n`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(lstatSync(join(f.work, 'open', 'fine')).isSymbolicLink());
});

const scp = (args: readonly string[]) => f.scp(['-O', ...args]);

test('scp -O -r: each file of the stream is judged; one into the vault is refused, and never written', {
  skip: missing ?? false,
}, async () => {
  // A local tree whose directory is named like the vault: the command names only the work directory.
  const local = mkdtempSync(join(tmpdir(), 'vigil-scp-tree-'));
  mkdirSync(join(local, 'vault'));
  writeFileSync(join(local, 'vault', 'planted.txt'), 'planted');
  const up = await scp(['-r', join(local, 'vault'), `alice@127.0.0.1:${f.work}/`]);
  assert.notEqual(up.code, 0, 'the refused upload reported success');
  assert.match(up.stderr, /policy_denied/);
  assert.equal(existsSync(join(f.work, 'vault', 'planted.txt')), false, 'the file in the stream was written');
  // The same tree into another directory arrives whole.
  mkdirSync(join(f.work, 'open', 'inbox'));
  const ok = await scp(['-r', join(local, 'vault'), `alice@127.0.0.1:${f.work}/open/inbox`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(readFileSync(join(f.work, 'open', 'inbox', 'vault', 'planted.txt'), 'utf8'), 'planted');
  const opens = (await f.events({ identity: 'alice' }))
    .filter((e) => e.type === 'ssh.file' && e.payload?.via === 'scp' && e.payload?.phase === 'open')
    .map((e) => String(e.payload?.path));
  assert.ok(opens.includes(`${f.work}/vault/planted.txt`), opens.join(' '));
  assert.ok(opens.includes(`${f.work}/open/inbox/vault/planted.txt`), opens.join(' '));
});

test('scp -O -r download: the secret inside the directory is refused before its bytes leave the host', {
  skip: missing ?? false,
}, async () => {
  const local = mkdtempSync(join(tmpdir(), 'vigil-scp-down-'));
  const down = await scp(['-r', `alice@127.0.0.1:${f.work}/vault`, local]);
  assert.notEqual(down.code, 0, 'the refused download reported success');
  assert.equal(existsSync(join(local, 'vault', 'secret')), false, 'the secret was downloaded');
  // Named directly, it is refused before the host runs scp at all.
  const direct = await scp([`alice@127.0.0.1:${f.work}/open/../vault/secret`, local]);
  assert.notEqual(direct.code, 0);
  assert.equal(existsSync(join(local, 'secret')), false);
});
