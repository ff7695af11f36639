import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lexCommandLine } from './command-lexer.js';
import { commandWrites } from './command-writes.js';

const paths = (command: string) => {
  const { writes, uncertain } = commandWrites(command);
  assert.equal(uncertain, null, `${command}: ${uncertain}`);
  return writes.map((w) => `${w.operation} ${w.path}${w.target !== undefined ? ` ${w.target}` : ''}`);
};
const uncertain = (command: string) => {
  const result = commandWrites(command);
  assert.notEqual(result.uncertain, null, `${command} was read as ${JSON.stringify(result.writes)}`);
};

test('redirections write their targets, wherever they stand and however they are spelled', () => {
  for (const [command, written] of [
    ['cat > /etc/x', ['upload /etc/x']],
    ['cat>/etc/x', ['upload /etc/x']],
    ['>/etc/x cat', ['upload /etc/x']],
    ['echo a >> "/etc/x y"', ['upload /etc/x y']],
    ['ls >|/etc/x', ['upload /etc/x']],
    ['ls &>/etc/x', ['upload /etc/x']],
    ['ls &>>/etc/x', ['upload /etc/x']],
    ['ls 2>/etc/x', ['upload /etc/x']],
    ['ls {fd}>/etc/x', ['upload /etc/x']],
    ['exec 3<>/etc/x', ['upload /etc/x']],
    ['ls >&/etc/x', ['upload /etc/x']],
    ['{ echo a; } > /etc/x', ['upload /etc/x']],
    ['(echo a) > /etc/x', ['upload /etc/x']],
    ['echo $(cat > /etc/x)', ['upload /etc/x']],
    ['echo "`cat > /etc/x`"', ['upload /etc/x']],
    ['diff <(sort a) b >(tee /etc/x)', ['upload /etc/x']],
    ["sh -c 'cat > /etc/x'", ['upload /etc/x']],
    ['sudo -u root bash -lc "echo > /etc/x"', ['upload /etc/x']],
    ['su -c "echo > /etc/x" root', ['upload /etc/x']],
    ['eval "cat > /etc/x"', ['upload /etc/x']],
    ['env -S "tee /etc/x"', ['upload /etc/x']],
    ['env -S bash', []],
    ["cat > '/etc/x'", ['upload /etc/x']],
    ['cat > \\/etc/x', ['upload /etc/x']],
    ['cat > ~/x', ['upload x']],
    ['cat \\\n> /etc/x', ['upload /etc/x']],
  ] as const) {
    assert.deepEqual(paths(command), written, command);
  }
});

test('what writes no file is not read as a write', () => {
  for (const command of [
    'echo "a > b"',
    "echo 'a > /etc/x'",
    'ls 2>&1 >/dev/null',
    'ls >&2',
    'ls 2>&-',
    'cat < /etc/passwd',
    'cat <<< "x > /etc/x"',
    'cat <<EOF\nline > /etc/x\nEOF\n',
    'cat <<-EOF\n\tline > /etc/x\n\tEOF\n',
    'echo a # > /etc/x',
    'sed s/a/b/ /etc/x',
    'tar tf a.tar -C /etc',
    'git status',
    'echo $((1 > 2))',
    // bash's network redirections open sockets, whatever the port expands to.
    'exec 3<>/dev/tcp/127.0.0.1/$((6000+n))',
    'echo hi >/dev/udp/10.0.0.1/514',
  ]) {
    assert.deepEqual(paths(command), [], command);
  }
});

test('the well-known writers write the paths they are given', () => {
  for (const [command, written] of [
    ['tee -a /etc/x /srv/y', ['upload /etc/x', 'upload /srv/y']],
    ['cp a /etc/x', ['upload /etc/x', 'upload /etc/x/a']],
    ['cp -t /etc a b', ['upload /etc/a', 'upload /etc/b']],
    ['cp --target-directory=/etc a', ['upload /etc/a']],
    ['mv /srv/a /etc/b', ['upload /etc/b', 'upload /etc/b/a', 'remove /srv/a']],
    ['install -m 644 a /etc/x', ['upload /etc/x', 'upload /etc/x/a']],
    ['install -d /etc/d', ['mkdir /etc/d']],
    ['dd if=a of=/etc/x bs=1', ['upload /etc/x']],
    ["sed -i 's/a/b/' /etc/x", ['upload /etc/x']],
    ['sed -Ei.bak -e s/a/b/ /etc/x /etc/y', ['upload /etc/x', 'upload /etc/y']],
    ['sed --in-place s/a/b/ /etc/x', ['upload /etc/x']],
    ['tar xf a.tar -C /etc', ['upload /etc/']],
    ['tar -xzf a.tar --directory=/etc', ['upload /etc/']],
    ['tar -x -f a.tar --directory /etc', ['upload /etc/']],
    ['tar xf a.tar', ['upload ./']],
    ['tar cf /etc/b.tar src', ['upload /etc/b.tar']],
    ['tar -czf/etc/b.tgz src', ['upload /etc/b.tgz']],
    ['truncate -s 0 /etc/x', ['upload /etc/x']],
    ['touch /etc/x', ['upload /etc/x']],
    ['rm -rf /etc/x', ['remove /etc/x']],
    ['rm -f /tmp/*.log', ['remove /tmp/']],
    ['mkdir -p /etc/d', ['mkdir /etc/d']],
    ['rmdir /etc/d', ['rmdir /etc/d']],
    ['chmod 600 /etc/x', ['setstat /etc/x']],
    ['chown -R root:root /etc/x', ['setstat /etc/x']],
    ['ln -s /etc/shadow /srv/s', ['symlink /etc/shadow /srv/s', 'symlink /etc/shadow /srv/s/shadow']],
    ['sort -o /etc/x a', ['upload /etc/x']],
    ['curl -o /etc/x https://example.com', ['upload /etc/x']],
    ['wget -O /etc/x https://example.com', ['upload /etc/x']],
    ['unzip a.zip -d /etc', ['upload /etc/']],
    ['openssl genrsa -out /etc/k.pem', ['upload /etc/k.pem']],
    ['find /etc -name x -delete', ['remove /etc/']],
    ['sudo -n tee /etc/x', ['upload /etc/x']],
    ['X=1 nice -n 5 tee /etc/x', ['upload /etc/x']],
  ] as const) {
    assert.deepEqual(paths(command), written, command);
  }
});

test('a write whose path the text does not fix is uncertain', () => {
  for (const command of [
    'cat > $f',
    'cat > "$HOME/x"',
    `cat > \${f}`,
    'cat > $(echo /etc/x)',
    'cat > `echo /etc/x`',
    'cat > /etc/*',
    'cat > /etc/{a,b}',
    'cat > ~root/x',
    'tee /e?c/x',
    'rm /e*/x',
    'cd /etc && cat > x',
    'cd /etc; tee x',
    'env -C /etc tee x',
    'xargs rm',
    'find / -exec rm {} +',
    'chroot /mnt tee /etc/x',
    'tar -xPf a.tar',
    'cat >',
  ]) {
    uncertain(command);
  }
  // A relative path before any cd is read from the login directory, as sshd starts the command there.
  assert.deepEqual(paths('cat > x; cd /etc'), ['upload x']);
});

test('any text is read without throwing', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...' \t\n;&|<>(){}$`\'"\\#~*-=/acdefrstx12') }), (text) => {
      lexCommandLine(text);
      const result = commandWrites(text);
      assert.ok(result.uncertain === null || result.writes.length === 0);
    }),
    { numRuns: 2000 },
  );
});
