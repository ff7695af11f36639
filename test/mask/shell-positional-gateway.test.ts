// Passwords on a shell line that no option names, typed into a real shell through the gateway (the
// OpenSSH client, `ssh -T` with the lines on its input, and an exec command): `htpasswd -b FILE
// user …`, `htpasswd -nb user …`, a password piped into `docker login --password-stdin` by echo,
// printf and a here-string, `rabbitmqctl add_user`, `smbclient -U user%…`, a `.pgpass` line, an
// XML element echoed into a file. Every command is `true …` (nothing reaches a network or changes a
// file outside the work directory). None of the values, words joined by dashes that no text rule
// takes for a secret, may reach the data directory or the gateway's log.
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

const S = {
  htpasswd: 'lantern-orchard-seven',
  htpasswdN: 'copper-kettle-morning',
  echoStdin: 'velvet-harbor-fog',
  printfStdin: 'quiet-meadow-ember',
  hereString: 'marble-finch-dusk',
  rabbit: 'paper-crane-drift',
  smb: 'amber-tide-lullaby',
  pgpass: 'silver-fern-compass',
  xml: 'granite-owl-whisper',
};

function lines(): string[] {
  return [
    'echo started',
    `true htpasswd -b ${f.work}/htpasswd-test ann ${S.htpasswd}`,
    `true htpasswd -nb ann ${S.htpasswdN}`,
    `echo ${S.echoStdin} | true docker login --password-stdin -u bob registry.example.test`,
    `printf '%s' '${S.printfStdin}' | true docker login -u bob --password-stdin registry.example.test`,
    `true docker login -u bob --password-stdin registry.example.test <<< ${S.hereString}`,
    `true rabbitmqctl add_user ann ${S.rabbit}`,
    `true smbclient //files/share -U ann%${S.smb}`,
    `true echo 'db:5432:app:ann:${S.pgpass}' >> ${f.work}/.pgpass`,
    `true echo '<config><password>${S.xml}</password></config>'`,
  ];
}

async function assertNoLeak(): Promise<void> {
  await f.gateway.recorder.drain();
  const log = f.log();
  for (const [where, secret] of Object.entries(S)) {
    for (const { path, bytes } of dataDirFiles(f.dataDir))
      assert.ok(!bytes.toString('latin1').includes(secret), `${where}: the secret is in ${path}`);
    assert.ok(!log.includes(secret), `${where}: the secret is in the log`);
  }
}

test('positional and piped passwords typed into a shell (ssh -T) are masked in every record', {
  skip: missing ?? false,
  timeout: 60_000,
}, async () => {
  const run = await f.ssh('alice', ['-T', 'alice@127.0.0.1'], `${lines().join('\n')}\n`);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^started\n/);
  const commands = await until('the ssh.command records', async () => {
    const [events] = (await f.sessions({ identity: 'alice' })).slice(-1);
    const found = (events ?? [])
      .filter((e) => e.type === 'ssh.command')
      .map((e) => String(e.payload?.command));
    return found.length >= lines().length ? found : undefined;
  });
  // Only the secret is replaced: the command stays readable.
  assert.ok(
    commands.some((c) => /^true htpasswd -nb ann \[MASKED:shell-secret:[0-9a-f]{6}\]$/.test(c)),
    commands.join('\n'),
  );
  assert.ok(
    commands.some((c) => /^echo \[MASKED:shell-secret:[0-9a-f]{6}\] \| true docker login/.test(c)),
    commands.join('\n'),
  );
  await assertNoLeak();
});

test('the same lines as one exec command are masked', {
  skip: missing ?? false,
  timeout: 60_000,
}, async () => {
  const run = await f.ssh('alice', ['alice@127.0.0.1', lines().join('; ')]);
  assert.equal(run.code, 0, run.stderr);
  const exec = await until('the ssh.exec record', async () =>
    (await f.events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exec' && String(e.payload?.command).startsWith('echo started;'),
    ),
  );
  assert.match(String(exec.payload?.command), /htpasswd -b \S+ ann \[MASKED:shell-secret:[0-9a-f]{6}\];/);
  await assertNoLeak();
});
