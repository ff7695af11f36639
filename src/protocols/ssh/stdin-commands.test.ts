import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandsHistoryAtStart, readsCommandsFromInput } from './input-shells.js';

test('a remote command that is a shell reading its commands from the input', () => {
  for (const command of [
    'bash',
    'sh',
    '/bin/bash -l',
    'sh -s',
    'bash -s arg1 arg2',
    "'bash'",
    'exec bash -x',
    'LANG=C sh',
    'bash -o pipefail',
    'sh -',
  ]) {
    assert.equal(readsCommandsFromInput(command), true, command);
  }
  for (const command of [
    'bash -c "ls"',
    'sh deploy.sh',
    'bash -lc ls',
    'ls',
    'cat',
    'python3',
    'bashful',
    '',
  ]) {
    assert.equal(readsCommandsFromInput(command), false, command);
  }
});

test('a shell behind a redirection, a wrapper, a pipe or a list, or reading its input as a script, reads commands too', () => {
  for (const command of [
    'bash 2>&1',
    'sh > /tmp/log',
    'bash </dev/stdin',
    'cd / && bash',
    'true; sh',
    'cat | bash',
    'env bash',
    'env -i PATH=/bin sh',
    'nice -n 5 bash',
    'busybox sh',
    'sudo bash',
    'sudo -u root bash -l',
    'sudo -s',
    'sudo -i',
    'sudo -iu root',
    'sudo --login',
    'doas -s',
    'su',
    'su -',
    'su - root',
    'runuser -l deploy',
    'bash /dev/stdin',
    'sh -- /dev/fd/0',
    'bash /proc/self/fd/0',
    'sh --',
    'bash --noprofile --rcfile /dev/null',
    'ba\\\nsh',
  ]) {
    assert.equal(readsCommandsFromInput(command), true, command);
  }
  for (const command of [
    'sudo sh -c "cat > /etc/motd"',
    'sudo tee /etc/motd',
    'su -c "cat > /tmp/x" root',
    'cat | wc -l',
    'bash --rcfile /dev/null -c ls',
    'bash deploy.sh --verbose',
    'env LC_ALL=C wc -l',
  ]) {
    assert.equal(readsCommandsFromInput(command), false, command);
  }
});

test('a shell that expands history from its first line of input: interactive, or told to', () => {
  for (const command of ['bash -i', 'sudo bash -i', 'bash -H', 'bash -il', 'bash -o histexpand']) {
    assert.equal(expandsHistoryAtStart(command), true, command);
  }
  for (const command of ['bash', 'sh -s', 'bash -c "echo -i"', 'grep -i x', '']) {
    assert.equal(expandsHistoryAtStart(command), false, command);
  }
});

test('bash as rbash, other shells, programs that start the user shell, and a shell among the words of an unread program', () => {
  for (const command of [
    'rbash',
    '/usr/bin/rbash -s',
    'tcsh',
    'fish',
    'unshare -U',
    'chroot /',
    'nsenter -t 1 -m',
    'newgrp',
    'sg wheel',
    'script -q /dev/null',
    'docker exec -i web sh',
    'kubectl exec -i pod -- /bin/bash',
  ]) {
    assert.equal(readsCommandsFromInput(command), true, command);
  }
  for (const command of [
    'unshare -U ls',
    'chroot / ls',
    'sg wheel -c ls',
    'docker exec -i web sh -c ls',
    'rsync --server -e.Lsfx . /srv/sh',
    'python3',
  ]) {
    assert.equal(readsCommandsFromInput(command), false, command);
  }
});
