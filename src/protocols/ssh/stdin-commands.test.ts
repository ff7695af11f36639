import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readsCommandsFromInput } from './stdin-commands.js';

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
