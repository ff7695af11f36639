import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { commandNames, describeSshAction } from './action-facts.js';

test('the command names of a shell line', () => {
  assert.deepEqual(commandNames('rm -rf /'), ['rm']);
  assert.deepEqual(commandNames('cd /srv && sudo -u app /usr/bin/systemctl restart api'), [
    'cd',
    'sudo',
    'systemctl',
  ]);
  assert.deepEqual(commandNames('FOO=1 env X=2 shutdown -h now; echo done | tee log'), [
    'env',
    'shutdown',
    'echo',
    'tee',
  ]);
  assert.deepEqual(commandNames('echo $(reboot) `halt`'), ['echo', 'reboot', 'halt']);
  assert.deepEqual(commandNames(''), []);
});

test('wrappers are listed with the command they run, past their options and their own arguments', () => {
  for (const [line, names] of [
    ['setsid -f shutdown -h now', ['setsid', 'shutdown']],
    ['stdbuf -oL -e 0 reboot', ['stdbuf', 'reboot']],
    ['chroot / shutdown', ['chroot', 'shutdown']],
    ['chroot --userspec=0:0 -- / halt', ['chroot', 'halt']],
    ['taskset 0x1 poweroff', ['taskset', 'poweroff']],
    ['taskset -c 0 poweroff', ['taskset', 'poweroff']],
    ['chrt -f 10 reboot', ['chrt', 'reboot']],
    ['flock -w 5 /run/lock shutdown', ['flock', 'shutdown']],
    ['timeout -s KILL 5s nice -n 5 ionice -c 3 reboot', ['timeout', 'nice', 'ionice', 'reboot']],
    ['timeout --preserve-status reboot', ['timeout', 'reboot']],
    ['runuser -u root -- reboot', ['runuser', 'reboot']],
    ['nsenter -t 1 -m -u -i -n -p shutdown', ['nsenter', 'shutdown']],
    ['unshare --mount --pid --fork reboot', ['unshare', 'reboot']],
    ['setpriv --reuid=0 halt', ['setpriv', 'halt']],
    ['busybox reboot', ['busybox', 'reboot']],
    ['strace -f -o /dev/null reboot', ['strace', 'reboot']],
    ['pkexec reboot', ['pkexec', 'reboot']],
    ['systemd-run -p User=root reboot', ['systemd-run', 'reboot']],
    ['sudo -- env -- reboot', ['sudo', 'env', 'reboot']],
    // Names that are properties of every object are names, not wrappers.
    ['constructor -x y; toString -n 1', ['constructor', 'toString']],
  ] as const) {
    assert.deepEqual(commandNames(line), names, line);
  }
});

test('how actions read to policy', () => {
  assert.equal(describeSshAction('ssh.exec', { command: 'ls -l' })?.text, 'ls -l');
  assert.deepEqual(describeSshAction('ssh.command', { command: 'sudo reboot' })?.tools, ['sudo', 'reboot']);
  assert.equal(
    describeSshAction('ssh.file', { operation: 'upload', path: '/etc/passwd' })?.text,
    'upload /etc/passwd',
  );
  assert.equal(
    describeSshAction('ssh.forward', { kind: 'direct-tcpip', host: 'db', port: 5432 })?.text,
    'direct-tcpip db:5432',
  );
  assert.equal(describeSshAction('db.query', {}), null);
});

test("an exec's environment requests are read with its command, as assignments before it", () => {
  const facts = describeSshAction('ssh.exec', {
    command: 'ls',
    env: { LD_PRELOAD: '/tmp/evil.so', LANG: 'C' },
  });
  assert.equal(facts?.text, 'ls');
  assert.deepEqual(facts?.alternateTexts, ['LD_PRELOAD=/tmp/evil.so LANG=C ls']);
  assert.deepEqual(facts?.tools, ['ls']);
  assert.deepEqual(describeSshAction('ssh.exec', { command: 'ls', env: {} })?.alternateTexts, []);
});

test('a line read from the screen is read as its keystrokes tell it too', () => {
  const facts = describeSshAction('ssh.command', {
    command: '',
    keystrokes: 'touch /srv/x\\\ny',
    source: 'screen',
  });
  assert.equal(facts?.text, '');
  assert.deepEqual(facts?.alternateTexts, ['touch /srv/xy']);
  assert.deepEqual(facts?.tools, []);
  assert.deepEqual(facts?.alternateTools, ['touch']);
  assert.deepEqual(describeSshAction('ssh.command', { command: 'ls' })?.alternateTools, []);
});

test("a continued statement's last line is read alone too: a shell that rejected the lines before reads it so", () => {
  const facts = describeSshAction('ssh.command', {
    command: "echo a('\nmkdir /srv/x",
    continued: true,
    line: 'mkdir /srv/x',
  });
  assert.equal(facts?.text, "echo a('\nmkdir /srv/x");
  assert.deepEqual(facts?.alternateTexts, ['mkdir /srv/x']);
  assert.deepEqual(facts?.alternateTools, ['mkdir']);
});

test('payloads from clients never make the describer throw', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('ssh.exec', 'ssh.command', 'ssh.file', 'ssh.forward') as fc.Arbitrary<'ssh.exec'>,
      fc.jsonValue(),
      (type, value) => {
        const payload =
          typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { command: value };
        describeSshAction(type, payload as never);
      },
    ),
  );
});

test('a command split by line continuations reads to policy as the shell reads it', () => {
  const split = describeSshAction('ssh.exec', { command: 'sh\\\nutdown -h now; rm -rf \\\n/' });
  assert.equal(split?.text, 'shutdown -h now; rm -rf /');
  assert.deepEqual(split?.tools, ['shutdown', 'rm']);
  assert.equal(
    describeSshAction('ssh.command', { command: "echo 'a\\\nb'" })?.text,
    "echo 'a\\\nb'",
    'inside single quotes a backslash-newline is text',
  );
});

test('a setstat that sets a size is read as the upload it is (truncate writes the file); one that sets none is not', () => {
  const sized = describeSshAction('ssh.file', {
    operation: 'setstat',
    path: '/srv/../vault/x',
    sets_size: 0,
  });
  assert.equal(sized?.text, 'setstat /vault/x');
  assert.ok(sized?.alternateTexts.includes('upload /vault/x'));
  const mode = describeSshAction('ssh.file', { operation: 'setstat', path: '/vault/x' });
  assert.ok(!mode?.alternateTexts.some((t) => t.startsWith('upload')));
});

test('a forward is read at every spelling of its destination the host resolves alike', () => {
  const facts = describeSshAction('ssh.forward', { kind: 'direct-tcpip', host: '127.1', port: 22 });
  assert.equal(facts?.text, 'direct-tcpip 127.1:22');
  assert.ok(facts?.alternateTexts.includes('direct-tcpip 127.0.0.1:22'));
});
