import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { runsSftpServer, SftpSniffer } from './sftp-sniff.js';

const INIT = Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]);

test('an SFTP INIT is seen however it is split, at the chunk that completes its header', () => {
  for (let cut = 0; cut <= INIT.length; cut++) {
    const s = new SftpSniffer();
    const first = s.opensSftp(INIT.subarray(0, cut));
    assert.equal(first, cut >= 5, `cut at ${cut}`);
    if (!first) assert.equal(s.opensSftp(INIT.subarray(cut)), true, `cut at ${cut}`);
  }
});

test('any other input is never taken for SFTP, however it is split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), (bytes, at) => {
      const data = Buffer.from(bytes);
      fc.pre(!data.subarray(0, 5).equals(INIT.subarray(0, 5)));
      const s = new SftpSniffer();
      const cut = Math.min(at, data.length);
      assert.equal(s.opensSftp(data.subarray(0, cut)), false);
      assert.equal(s.opensSftp(data.subarray(cut)), false);
      if (data.length >= 5) assert.equal(s.opensSftp(INIT), false, 'only the first five bytes count');
    }),
  );
});

test('the sftp server run as a command', () => {
  assert.equal(runsSftpServer('/usr/lib/openssh/sftp-server'), true);
  assert.equal(runsSftpServer('sftp-server -l INFO'), true);
  assert.equal(runsSftpServer('sftp'), false);
  assert.equal(runsSftpServer('ls /usr/lib/openssh/sftp-server'), false);
  assert.equal(runsSftpServer('/usr/lib/openssh/sftp-server -d /srv -P write,remove -u 022'), true);
  // Anything run around the server would read the input the relay takes for SFTP packets.
  for (const command of [
    '/usr/lib/openssh/sftp-server -h; bash',
    'sftp-server && sh',
    'sftp-server | sh',
    'sftp-server -d "$(bash)"',
    'sftp-server -d `bash`',
    'sftp-server < /dev/null & bash',
    "sftp-server -d '/srv'",
  ]) {
    assert.equal(runsSftpServer(command), false, command);
  }
});
