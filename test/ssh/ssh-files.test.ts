// File transfers through Vigil with the real OpenSSH clients: scp (over sftp, OpenSSH's default),
// legacy scp (`scp -O`) and sftp, uploads and downloads, each file arriving whole (same SHA-256)
// and recorded as ssh.file with its path, direction, size and SHA-256. A denied upload never
// creates its file. The file is 100 MB and a few bytes (not a multiple of any buffer size).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { assertLedgerVerifies } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { type SshFixture, startSshFixture, until } from './ssh-fixture.js';

const missing = sshdMissing();
const SIZE = 100 * 1000 * 1000 + 12_345;
let f: SshFixture;
let local: string;
let sha: string;

before(async () => {
  if (missing) return;
  f = await startSshFixture({
    policy: {
      rules: [
        {
          name: 'no-etc',
          match: { events: ['ssh.file'], pattern: '^upload .*forbidden-upload' },
          action: 'deny',
          reason: 'no uploads there',
        },
      ],
    },
  });
  local = join(f.work, 'local.bin');
  const data = randomBytes(SIZE);
  writeFileSync(local, data);
  sha = createHash('sha256').update(data).digest('hex');
});
after(async () => {
  if (!missing) await f.close();
});

const digestOf = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function scp(args: readonly string[]) {
  return f.scp(args);
}

async function fileRecords(): Promise<StoredEvent[]> {
  return (await f.events({ identity: 'alice' })).filter(
    (e) => e.type === 'ssh.file' && e.payload?.phase === 'done',
  );
}

async function recorded(path: string, operation: string, via: string): Promise<StoredEvent> {
  return until(`an ssh.file record for ${operation} ${path}`, async () =>
    (await fileRecords()).find(
      (e) =>
        String(e.payload?.path).endsWith(path) &&
        e.payload?.operation === operation &&
        e.payload?.via === via,
    ),
  );
}

test('scp over sftp: upload and download arrive whole and are recorded with size and SHA-256', {
  skip: missing ?? false,
}, async () => {
  const remote = join(f.work, 'scp-up.bin');
  const up = await scp([local, `alice@127.0.0.1:${remote}`]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(digestOf(remote), sha);
  const back = join(f.work, 'scp-down.bin');
  const down = await scp([`alice@127.0.0.1:${remote}`, back]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(digestOf(back), sha);
  for (const operation of ['upload', 'download']) {
    const record = await recorded('scp-up.bin', operation, 'sftp');
    assert.equal(record.payload?.size, SIZE);
    assert.equal(record.payload?.sha256, sha);
  }
});

test('legacy scp (-O): upload and download arrive whole and are recorded', {
  skip: missing ?? false,
}, async () => {
  const remote = join(f.work, 'legacy-up.bin');
  const up = await scp(['-O', local, `alice@127.0.0.1:${remote}`]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(digestOf(remote), sha);
  const back = join(f.work, 'legacy-down.bin');
  const down = await scp(['-O', `alice@127.0.0.1:${remote}`, back]);
  assert.equal(down.code, 0, down.stderr);
  assert.equal(digestOf(back), sha);
  const upload = await recorded('local.bin', 'upload', 'scp');
  assert.equal(upload.payload?.target, remote);
  assert.equal(upload.payload?.size, SIZE);
  assert.equal(upload.payload?.sha256, sha);
  const download = await recorded('legacy-up.bin', 'download', 'scp');
  assert.equal(download.payload?.sha256, sha);
  // The exec that ran the host's scp is an action of its own.
  const execs = (await f.events({ identity: 'alice' })).filter((e) => e.type === 'ssh.exec');
  assert.ok(execs.some((e) => String(e.payload?.command).startsWith('scp -t')));
});

test('sftp batch: put and get arrive whole and are recorded; a denied upload never creates its file', {
  skip: missing ?? false,
}, async () => {
  const remote = join(f.work, 'sftp-up.bin');
  const back = join(f.work, 'sftp-down.bin');
  const denied = join(f.work, 'forbidden-upload.bin');
  const run = await f.sftp(`put ${local} ${remote}\nget ${remote} ${back}\nput ${local} ${denied}\n`);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(digestOf(remote), sha);
  assert.equal(digestOf(back), sha);
  assert.equal(existsSync(denied), false, 'the denied upload created its file');
  assert.match(run.stderr, /[Pp]ermission denied/);
  assert.equal((await recorded('sftp-up.bin', 'upload', 'sftp')).payload?.sha256, sha);
  assert.equal((await recorded('sftp-up.bin', 'download', 'sftp')).payload?.sha256, sha);
  const decisions = (await f.events({ identity: 'alice' })).filter(
    (e) => e.type === 'policy.decision' && e.payload?.rule === 'no-etc',
  );
  assert.equal(decisions.length, 1);
  await assertLedgerVerifies(f.gateway);
});
