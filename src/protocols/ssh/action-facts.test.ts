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
