// A setstat that sets a file's size truncates (or extends) it: OpenSSH's sftp server calls
// truncate(2) for SETSTAT and FSETSTAT attributes that carry a size. Until 5 December Vigil judged
// it only as `setstat PATH`, so a rule on `upload …` (no writes to the vault, reads allowed) let a
// client empty a vault file: by path, or by the handle of a file opened for reading. Each must be
// judged as the write it is and leave the file whole.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SFTPWrapper } from 'ssh2';
import { TOKENS } from '../support/gateway.js';
import { ssh2Client, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({
  policy: {
    rules: [
      {
        name: 'vault-read-only',
        match: { events: ['ssh.file'], pattern: '^upload .*/vault-' },
        action: 'deny',
        reason: 'the vault is read-only',
      },
    ],
  },
});

async function withSftp<T>(use: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) => (err ? reject(err) : resolve(s))),
    );
    return await use(sftp);
  } finally {
    client.end();
  }
}

const outcome = (err: Error | null | undefined) => (err ? err.message : 'changed');

test('truncating a file by path (SETSTAT with a size) is judged as an upload: a denied one leaves it whole', {
  skip: missing ?? false,
}, async () => {
  const vault = join(f().work, 'vault-by-path.txt');
  writeFileSync(vault, 'the vault holds this');
  const result = await withSftp(
    (sftp) =>
      new Promise<string>((resolve) => sftp.setstat(vault, { size: 0 }, (err) => resolve(outcome(err)))),
  );
  assert.match(result, /vigil: policy_denied/);
  assert.equal(readFileSync(vault, 'utf8'), 'the vault holds this', 'the denied setstat truncated the file');
  // A setstat that sets no size (a mode) is no write: it still passes.
  const mode = await withSftp(
    (sftp) =>
      new Promise<string>((resolve) => sftp.setstat(vault, { mode: 0o600 }, (err) => resolve(outcome(err)))),
  );
  assert.equal(mode, 'changed');
});

test('truncating a file opened for reading (FSETSTAT with a size on its handle) is judged as an upload', {
  skip: missing ?? false,
}, async () => {
  const vault = join(f().work, 'vault-by-handle.txt');
  writeFileSync(vault, 'the vault holds this');
  const result = await withSftp(
    (sftp) =>
      new Promise<string>((resolve, reject) =>
        sftp.open(vault, 'r', (err, handle) => {
          if (err) return reject(err);
          sftp.fsetstat(handle, { size: 0 }, (truncErr) => resolve(outcome(truncErr)));
        }),
      ),
  );
  assert.match(result, /vigil: policy_denied/);
  assert.equal(readFileSync(vault, 'utf8'), 'the vault holds this', 'the denied fsetstat truncated the file');
  const events = await f().events({ identity: 'alice' });
  assert.ok(
    events.some(
      (e) => e.type === 'ssh.file' && e.payload?.operation === 'setstat' && e.payload?.sets_size === 0,
    ),
  );
});
