// Passwords a shell line gives without naming them: positional words (`htpasswd -b FILE user …`),
// glued to a user (`smbclient -U user%…`), piped into a command that reads its password from
// standard input, a `.pgpass` line, and XML a command prints. Each value is masked whole (words
// joined by dashes, which no text rule takes for a secret); the same commands without a password,
// and pipes into other commands, stay as typed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, maskedLinePattern as pattern } from '../../test/support/masked-line.js';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'shell-positional-test-key-0123456789' });
const S = 'amber-tide-lullaby';

test('positional, piped and here-string passwords are masked, the rest of the line kept', () => {
  const cases: [string, string][] = [
    [`htpasswd -b /etc/nginx/.htpasswd ann ${S}`, `htpasswd -b /etc/nginx/.htpasswd ann ${MASK}`],
    [`htpasswd -nb ann ${S}`, `htpasswd -nb ann ${MASK}`],
    [`sudo htpasswd -bcB -C 12 .htpasswd ann '${S}'`, `sudo htpasswd -bcB -C 12 .htpasswd ann '${MASK}'`],
    [`htpasswd -nb ann ${S} > users.txt`, `htpasswd -nb ann ${MASK} > users.txt`],
    [
      `echo ${S} | docker login --password-stdin -u bob reg.test`,
      `echo ${MASK} | docker login --password-stdin -u bob reg.test`,
    ],
    [
      `echo -n "${S}" | docker login -u bob --password-stdin`,
      `echo -n "${MASK}" | docker login -u bob --password-stdin`,
    ],
    [
      `printf '%s' ${S} | helm registry login --password-stdin r`,
      `printf '%s' ${MASK} | helm registry login --password-stdin r`,
    ],
    [`printf '${S}' | podman login --password-stdin r`, `printf '${MASK}' | podman login --password-stdin r`],
    [`cat <<< ${S} | docker login --password-stdin`, `cat <<< ${MASK} | docker login --password-stdin`],
    [`docker login --password-stdin <<<'${S}'`, `docker login --password-stdin <<<'${MASK}'`],
    [`echo ${S} | sudo -S systemctl restart app`, `echo ${MASK} | sudo -S systemctl restart app`],
    [`echo 'ann:${S}' | chpasswd`, `echo 'ann:${MASK}' | chpasswd`],
    [`chpasswd <<< "ann:${S}"`, `chpasswd <<< "ann:${MASK}"`],
    [`echo ${S} | passwd --stdin ann`, `echo ${MASK} | passwd --stdin ann`],
    [`echo ${S} | gh auth login --with-token`, `echo ${MASK} | gh auth login --with-token`],
    [`printf '%s' ${S} | docker secret create db_pw -`, `printf '%s' ${MASK} | docker secret create db_pw -`],
    [`rabbitmqctl add_user ann ${S}`, `rabbitmqctl add_user ann ${MASK}`],
    [`rabbitmqctl change_password ann ${S}`, `rabbitmqctl change_password ann ${MASK}`],
    [`mysqladmin -u root password ${S}`, `mysqladmin -u root password ${MASK}`],
    [`redis-cli -h cache AUTH default ${S}`, `redis-cli -h cache AUTH default ${MASK}`],
    [`vault login ${S}`, `vault login ${MASK}`],
    [`smbclient //h/share -U 'CORP\\ann%${S}'`, `smbclient //h/share -U 'CORP\\ann%${MASK}'`],
    [`smbclient //h/share --user=ann%${S}`, `smbclient //h/share --user=ann%${MASK}`],
    [`gh secret set DEPLOY_KEY --body "${S}"`, `gh secret set DEPLOY_KEY --body "${MASK}"`],
    [`useradd -m -p '${S}' ann`, `useradd -m -p '${MASK}' ann`],
    [`echo 'db:5432:app:ann:${S}' >> ~/.pgpass`, `echo 'db:5432:app:ann:${MASK}' >> ~/.pgpass`],
    [`cat > ~/.pgpass <<EOF\n*:*:*:ann:${S}\nEOF`, `cat > ~/.pgpass <<EOF\n*:*:*:ann:${MASK}\nEOF`],
    [`echo '<password>${S}</password>' > a.xml`, `echo '<password>${MASK}</password>' > a.xml`],
  ];
  for (const [line, expected] of cases) {
    const out = masker.maskShellLine(line);
    assert.ok(!out.includes(S), `${line} → ${out}`);
    assert.match(out, pattern(expected), line);
  }
});

test('a quoted NAME=value word has its value masked, not its = (same fingerprint as unquoted)', () => {
  const plain = masker.maskShellLine(`curl -d password=${S} https://x`);
  const quoted = masker.maskShellLine(`curl -d 'password=${S}' https://x`);
  const fingerprint = (s: string) => /\[MASKED:shell-secret:([0-9a-f]{6})\]/.exec(s)?.[1];
  assert.match(quoted, pattern(`curl -d 'password=${MASK}' https://x`));
  assert.equal(fingerprint(quoted), fingerprint(plain));
  assert.match(
    masker.maskShellLine(`docker run -e "API_TOKEN=${S}" app`),
    pattern(`docker run -e "API_TOKEN=${MASK}" app`),
  );
});

test('the same commands without a password, and pipes into other commands, stay', () => {
  for (const line of [
    'htpasswd -c .htpasswd ann',
    'htpasswd -v .htpasswd ann',
    'htpasswd -D .htpasswd ann',
    'echo hello | grep h',
    'echo yes | sudo tee /etc/motd',
    'cat token.txt | docker login --password-stdin -u bob',
    'echo $REGISTRY_PASSWORD | docker login --password-stdin -u bob',
    'printf "%s" "$TOKEN" | gh auth login --with-token',
    'rabbitmqctl list_users',
    'mysqladmin -u root status',
    'redis-cli -h cache get auth',
    'vault login -method=userpass username=ann',
    'smbclient -L //h -U ann',
    'gh secret list',
    'echo 12:30:00 done',
    'ls -la | grep .pgpass',
    'echo "<name>ann</name>"',
    'git log --oneline | head -5',
  ])
    assert.equal(masker.maskShellLine(line), line);
});
