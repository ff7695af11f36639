import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { inputNotData } from './input-data.js';

test('programs that read their input as data only pass it as data', () => {
  for (const command of [
    'cat > /srv/x',
    '/bin/cat > f',
    '/usr/bin/sha256sum',
    'sudo tee /etc/x >/dev/null',
    'gzip -d | tar xf - -C /srv',
    'rsync --server -vlogDtpre.iLsfxCIvu . /dest',
    'git-receive-pack /srv/r.git',
    'grep -e foo',
    'echo hi',
  ]) {
    assert.equal(inputNotData(command), null, command);
  }
});

test('a shell under another name, an interpreter or an unknown program may read the input as a program', () => {
  for (const command of [
    '/tmp/x',
    'cp /bin/bash /tmp/x; /tmp/x',
    'ln -s /bin/sh ./s; ./s',
    '/tmp/cat',
    './cat',
    '/usr/bin/cat a; /tmp/cat',
    'cat | /home/u/bin/cat',
    'python3',
    'perl -e "1"',
    'awk -f -',
    'ed',
    'ex',
    'vim -s /dev/stdin',
    'sed e',
    'node',
    'ruby',
    'php',
    'lua',
    'tclsh',
    'busybox sh',
    'xargs rm',
    'sort --compress-program=sh',
    'tar -x --to-command=sh',
    'tar --to-c=sh -x',
    'tar xIf sh -',
    'rsync -e sh host:x y',
    'PATH=/tmp:$PATH cat',
    'cd /tmp && cat',
    'cat() { bash; }; cat',
    'alias cat=bash; cat',
    '$X',
    '"$SHELL"',
    'nice /tmp/x',
  ]) {
    assert.notEqual(inputNotData(command), null, command);
  }
});

test('the connection may name more programs whose input is data', () => {
  assert.notEqual(inputNotData('sort -u'), null);
  assert.equal(inputNotData('sort -u', ['sort']), null);
  // Not at a path outside a bin directory, whatever the list says.
  assert.notEqual(inputNotData('/tmp/sort -u', ['sort']), null);
});

test('any program name not on the list, at any place in the line, makes the input not data', () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
      fc.constantFrom('%s', 'cat | %s', '%s | cat', 'cat; %s', 'sudo %s', 'cat && %s > f', 'env %s'),
      (name, shape) => {
        fc.pre(
          ![
            'cat',
            'tee',
            'dd',
            'head',
            'tail',
            'wc',
            'od',
            'cut',
            'tr',
            'uniq',
            'grep',
            'tar',
            'echo',
            'printf',
            'ls',
            'pwd',
            'id',
            'date',
            'true',
            'false',
            'test',
            'sleep',
            'touch',
            'mkdir',
            'zcat',
            'gzip',
            'xz',
            'unxz',
            'zstd',
            'egrep',
            'fgrep',
            'b2sum',
            'cksum',
            'base64',
            'base32',
            'uname',
            'whoami',
            'hostname',
            'gunzip',
            'bzip2',
            'bunzip2',
            'hexdump',
            'sudo',
            'doas',
            'env',
            'nice',
            'ionice',
            'timeout',
            'stdbuf',
            'nohup',
            'time',
            'command',
            'exec',
            'setsid',
            'chrt',
            'taskset',
            'rsync',
            'alias',
            'hash',
            'enable',
            'function',
            'cd',
            'pushd',
            'in',
            'do',
            'done',
            'if',
            'fi',
            'then',
            'else',
            'elif',
            'while',
            'until',
            'esac',
            'coproc',
          ].includes(name) && !/^sha\d+sum$|^md5sum$/.test(name),
        );
        assert.notEqual(inputNotData(shape.replace('%s', name)), null);
      },
    ),
  );
});

test('a shell given a command string passes its input to what the string runs', () => {
  assert.equal(inputNotData('bash -c "wc -l"'), null);
  assert.equal(inputNotData("sh -c 'cat > /srv/x'"), null);
  assert.notEqual(inputNotData('bash -c "/tmp/x"'), null);
  assert.notEqual(inputNotData("sh -c 'python3'"), null);
  assert.notEqual(inputNotData('bash -c "$(cat)"'), null);
  assert.notEqual(inputNotData('bash script.sh'), null);
});
