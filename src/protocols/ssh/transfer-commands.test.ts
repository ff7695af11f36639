import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startsTransferServer, unreadTransfer } from './transfer-commands.js';

test('a command that starts the sftp server or scp -t/-f in a form not read as such is named', () => {
  for (const command of [
    'head -c1 >/dev/null; /usr/lib/openssh/sftp-server',
    'dd bs=1 count=3 of=/dev/null; sftp-server',
    'sudo /usr/lib/openssh/sftp-server',
    'env sftp-server',
    "s'f'tp-server",
    'sftp\\-server',
    `/usr/libexec/openssh/sftp-ser\${x}ver`,
    'sh -c "s\\"f\\"tp-server"',
    'echo "$(head -c1; /usr/lib/openssh/sftp-server)"',
    'sudo scp -t /etc/x',
    'env scp -t /etc/x',
    'nice -n 5 scp -f /etc/shadow',
    'nohup /usr/bin/scp -rt /srv',
    'timeout 60 \\scp -t /etc',
    "stdbuf -i0 'scp' -pt /etc",
    'exec scp -t /etc/x',
    'command scp -t /etc/x',
    'echo /etc/x | xargs scp -t',
    'head -c2; scp -t /etc/x',
    'SCP -t /etc/x',
    '$x -t /etc/x',
    '"$x" -t /etc/x',
    '$(echo scp) -t /etc/x',
    '`echo scp` -t /etc/x',
    'sudo $(echo scp) -t /etc/x',
    'echo "$($cmd)"',
    '/usr/lib/openssh/sftp-serv*',
    '/usr/lib/openssh/sftp-serve?',
  ]) {
    assert.notEqual(unreadTransfer(command), null, command);
  }
  // An accepted environment variable can hold the name.
  assert.notEqual(unreadTransfer('head -c1; $LC_X', { LC_X: 'sftp-server' }), null);
  assert.notEqual(unreadTransfer('head -c1; sh -c "$LC_X"', { LC_X: 'scp -t /etc/x' }), null);
});

test('ordinary commands, scp as a client and expansions outside the program name are left alone', () => {
  for (const command of [
    'ls -la /srv',
    'scp /tmp/x other:/tmp/',
    'scp -i key -o StrictHostKeyChecking=no -F cfg -T a b:',
    'echo "$HOME; $PATH"',
    '$HOME/bin/deploy --now',
    `"\${DIR}/tool" x`,
    'X=$(date) make',
    'mkdir -p "` echo ~/.ansible/tmp `"&& echo ok',
    '[ -f x ] && [[ -d y ]]',
    'ls *.log',
    'sftp other-host',
    'cat > /srv/scp-notes.txt',
    "grep 'sftp-serve[r]' /etc/ssh/sshd_config",
    'echo $(( $a + 1 ))',
    'for f in *; do echo "$f"; done',
    'rsync --server -vlogDtpre.iLsfxCIvu . /srv/x',
    "/bin/sh -c '/usr/bin/python3 /home/u/.ansible/tmp/AnsiballZ_copy.py && sleep 0'",
  ]) {
    assert.equal(unreadTransfer(command), null, command);
  }
});

test('a shell-input line naming the servers is a transfer start; an expansion there is not', () => {
  assert.equal(startsTransferServer('sudo scp -t /etc/x'), true);
  assert.equal(startsTransferServer('scp -t /etc/x'), true);
  assert.equal(startsTransferServer('/usr/lib/openssh/sftp-server'), true);
  assert.equal(startsTransferServer('$EDITOR x'), false);
  assert.equal(startsTransferServer('echo hello'), false);
  assert.equal(startsTransferServer('# the sftp-server runs as the subsystem'), false);
  assert.equal(startsTransferServer('sh -c "\n# scp -t /etc/x"'), true);
});
