// Passwords and tokens given to command-line tools the way people and agents type them: curl's
// glued `-uuser:pass` and `--user=user:pass`, a secret header (`-H 'X-Api-Key: …'`, a Cookie),
// `docker login -p`, `redis-cli -a`, `ldapsearch -w`, `openssl -passin pass:…`, a secret-named
// variable given as an argument (`docker run -e API_TOKEN=…`), `aws configure set
// aws_secret_access_key …`, and a `.netrc` written with a heredoc. Sent through the gateway to a
// real OpenSSH server as an exec command, none may reach the data directory or the gateway's log.
// The values are words joined by dashes, which no text rule takes for a secret.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SshFixture, startSshFixture, until } from '../ssh/ssh-fixture.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { sshdMissing } from '../support/openssh-server.js';

const missing = sshdMissing();
let f: SshFixture;

before(async () => {
  if (missing) return;
  f = await startSshFixture();
});

after(async () => {
  await f?.close();
});

const SECRETS = {
  curlGlued: 'lantern-orchard-seven',
  curlLong: 'copper-kettle-morning',
  header: 'velvet-harbor-fog',
  cookie: 'quiet-meadow-ember',
  docker: 'marble-finch-dusk',
  redis: 'paper-crane-drift',
  ldap: 'amber-tide-lullaby',
  openssl: 'silver-fern-compass',
  envArg: 'granite-owl-whisper',
  aws: 'lazy-river-stone',
  netrc: 'hollow-reed-anthem',
};

test('secret options, headers, arguments and a .netrc heredoc in an exec command are masked', {
  skip: missing ?? false,
  timeout: 60_000,
}, async () => {
  const s = SECRETS;
  // `true` runs first and takes the rest as arguments: nothing here reaches a network or a file
  // outside the work directory.
  const command = [
    'echo ran',
    `true curl -ualice:${s.curlGlued} https://api.example.test/v1`,
    `true curl --user=alice:${s.curlLong} https://api.example.test/v1`,
    `true curl -H 'X-Api-Key: ${s.header}' -H "Cookie: session=${s.cookie}" https://api.example.test/v1`,
    `true docker login -u bob -p ${s.docker} registry.example.test`,
    `true redis-cli -h cache -a ${s.redis} ping`,
    `true ldapsearch -x -D cn=admin -w ${s.ldap}`,
    `true openssl pkcs12 -in a.p12 -passin pass:${s.openssl}`,
    `true docker run -e API_TOKEN=${s.envArg} app`,
    `true aws configure set aws_secret_access_key ${s.aws}`,
    `cat > ${f.work}/netrc-test <<'EOF'\nmachine api.example.test\n  login bob\n  password ${s.netrc}\nEOF\n`,
  ].join('; ');
  const run = await f.ssh('alice', ['alice@127.0.0.1', command]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'ran\n');
  const exec = await until('the ssh.exec record', async () =>
    (await f.events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exec' && String(e.payload?.command).startsWith('echo ran; true curl'),
    ),
  );
  const recorded = String(exec.payload?.command);
  for (const [where, secret] of Object.entries(s))
    assert.ok(!recorded.includes(secret), `${where}: ${recorded}`);
  // Only the secret part is replaced: the command stays readable.
  assert.match(recorded, /curl -ualice:\[MASKED:shell-secret:[0-9a-f]{6}\]/);
  assert.match(recorded, /-H 'X-Api-Key: \[MASKED:shell-secret:[0-9a-f]{6}\]'/);
  assert.match(recorded, /docker login -u bob -p \[MASKED:shell-secret:[0-9a-f]{6}\] registry/);
  assert.match(recorded, / {2}password \[MASKED:shell-secret:[0-9a-f]{6}\]\nEOF/);
  await f.gateway.recorder.drain();
  const log = f.log();
  for (const [where, secret] of Object.entries(s)) {
    for (const { path, bytes } of dataDirFiles(f.dataDir))
      assert.ok(!bytes.toString('latin1').includes(secret), `${where}: the secret is in ${path}`);
    assert.ok(!log.includes(secret), `${where}: the secret is in the log`);
  }
});
