import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { readsCommandsFromInput } from './input-shells.js';

test('a shell named through a joined redirection, a command string, env -S, xargs or ssh reads the input', () => {
  for (const command of [
    'bash</dev/stdin',
    'bash<&0',
    'sh -c bash',
    "sh -c 'exec bash -i'",
    'bash -c "sh -s"',
    "sh -c 'sh -c bash'",
    'bash -c "$(cat)"',
    "sh -c '$0'",
    'env -S bash',
    "env --split-string='sh -s'",
    'xargs sh -c',
    'xargs -I{} sh -c {}',
    'ssh -T localhost',
    'ssh -p 2222 -i key deploy@localhost',
    'ssh localhost "sh -c bash"',
  ]) {
    assert.equal(readsCommandsFromInput(command), true, command);
  }
  for (const command of [
    'sh -c "cat > /tmp/x"',
    'bash -c "cd $(mktemp -d) && tar x"',
    "sh -c 'echo $HOME'",
    'ssh localhost cat',
    'ssh -p 22 localhost "wc -l"',
    'cat</dev/stdin',
    'env -i wc -l',
  ]) {
    assert.equal(readsCommandsFromInput(command), false, command);
  }
});

test('builtins that run the input, or text read from it, as shell code', () => {
  for (const command of [
    '. /dev/stdin',
    'source /dev/fd/0',
    'source <(cat)',
    '. "$f"',
    'eval "$(cat)"',
    'read -r l; eval "$l"',
    'while read -r l; do eval "$l"; done',
    'eval bash',
    'BASH_ENV=/dev/stdin bash -c true',
    'ENV=/dev/stdin sh -ic :',
    'env BASH_ENV=/dev/stdin bash -c true',
    'printf -v BASH_ENV %s /dev/stdin; export BASH_ENV; bash -c true',
    'bash --rcfile /dev/stdin -ic true',
    'bash --init-file=/dev/fd/0 -ic :',
  ]) {
    assert.equal(readsCommandsFromInput(command), true, command);
  }
  for (const command of [
    '. ./env.sh; make',
    'source /etc/profile && wc -l',
    'eval true; cat',
    'bash --rcfile /etc/bash.bashrc -ic true',
    'MY_ENV=1 wc -l',
  ]) {
    assert.equal(readsCommandsFromInput(command), false, command);
  }
});

test('programs that start a shell when given no command, or by an option', () => {
  for (const command of [
    'pkexec',
    'pkexec --user root',
    'run0',
    'run0 -u root',
    'fakeroot',
    'fakeroot --',
    'firejail',
    'systemd-nspawn -D /srv/c',
    'lxc-attach -n c',
    'capsh --',
    'capsh --caps=cap_net_raw+eip -- -s',
    'systemd-run --shell',
    'systemd-run -S',
    'machinectl shell',
    'machinectl shell root@web',
  ]) {
    assert.equal(readsCommandsFromInput(command), true, command);
  }
  for (const command of [
    'pkexec ls',
    'pkexec --user root ls',
    'fakeroot make install',
    'firejail --private ls',
    'capsh --print',
    'capsh -- -c ls',
    'systemd-run --unit x ls',
    'machinectl list',
  ]) {
    assert.equal(readsCommandsFromInput(command), false, command);
  }
});

test('property: a shell reading the input is found through any depth of -c strings', () => {
  const wrap = fc.constantFrom(
    (s: string) => `sh -c '${s}'`,
    (s: string) => `bash -c "${s}"`,
    (s: string) => `env ${s}`,
    (s: string) => `sudo -u root ${s}`,
    (s: string) => `true; ${s}`,
  );
  fc.assert(
    fc.property(
      fc.array(wrap, { maxLength: 3 }),
      fc.constantFrom('bash', 'sh -s', 'exec zsh'),
      (wraps, inner) => {
        // Same-kind quotes nested make no valid string for the shell; the reading must still say yes.
        const command = wraps.reduce<string>((s, w) => w(s), inner);
        assert.equal(readsCommandsFromInput(command), true, command);
      },
    ),
  );
  fc.assert(fc.property(fc.string(), (text) => void readsCommandsFromInput(text)));
});
