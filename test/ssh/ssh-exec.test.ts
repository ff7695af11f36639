// Remote commands through Vigil to a real OpenSSH server, with the real OpenSSH client and with
// ssh2: output and exit status pass through; each command is recorded before it runs; a denied
// command never starts (its marker file never appears); a held one runs only once approved;
// forwarding and agent requests are refused and recorded; a wrong token is refused and recorded.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runProcess } from '../support/cli.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';
import {
  NO_FORBIDDEN_MARKER,
  ssh2Client,
  ssh2Exec,
  sshFixtureForFile,
  startSshAgent,
  until,
} from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({
  // The test sshd accepts VIGIL_TEST_*: the environment these tests send passes Vigil's allow list.
  connection: { env_allow: ['VIGIL_TEST_*'] },
  policy: {
    rules: [
      NO_FORBIDDEN_MARKER,
      {
        name: 'hold-restarts',
        match: { events: ['ssh.exec'], pattern: 'held-marker' },
        action: 'review',
        review: { approvers: ['group:security'], required: 1, timeout: '60s' },
      },
    ],
  },
});

test("a command's environment requests are judged with it: a denied value never reaches the host", {
  skip: missing ?? false,
}, async () => {
  // What a host that accepts LD_PRELOAD or BASH_ENV would run more than the text shows.
  const run = await f().ssh('alice', [
    '-o',
    'SetEnv=VIGIL_TEST_HOOK=forbidden-marker',
    'alice@127.0.0.1',
    'echo env-ran',
  ]);
  assert.equal(run.code, 126, run.stderr);
  assert.match(run.stderr, /policy_denied/);
  assert.doesNotMatch(run.stdout, /env-ran/);
});

test('ssh host CMD: output, exit status and the environment pass through; the command is recorded with its exit', {
  skip: missing ?? false,
}, async () => {
  const run = await f().ssh('alice', [
    '-o',
    'SetEnv=VIGIL_TEST_COLOUR=blue',
    'alice@127.0.0.1',
    'echo "hi $VIGIL_TEST_COLOUR"; echo oops >&2; exit 7',
  ]);
  assert.equal(run.code, 7, run.stderr);
  assert.equal(run.stdout, 'hi blue\n');
  assert.match(run.stderr, /oops/);
  const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
  const exec = events!.find((e) => e.type === 'ssh.exec');
  assert.ok(exec?.payload);
  assert.equal(exec.payload.command, 'echo "hi $VIGIL_TEST_COLOUR"; echo oops >&2; exit 7');
  assert.equal((exec.payload.env as Record<string, string>).VIGIL_TEST_COLOUR, 'blue');
  const output = events!
    .filter((e) => e.type === 'ssh.output')
    .flatMap((e) => e.payload?.frames as [number, string, string][]);
  assert.match(output.map((fr) => fr[2]).join(''), /hi blue/);
  const exit = await until('ssh.exit', async () =>
    (await f().events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exit' && e.sessionId === exec.sessionId,
    ),
  );
  assert.equal(exit.payload?.exit_status, 7);
  assert.ok(exec.seq < exit.seq);
  const hostKey = events!.find((e) => e.type === 'ssh.host_key');
  assert.equal(hostKey?.payload?.fingerprint, f().sshd.hostKeyFingerprint);
});

test('a password on the command line (mysql -p, curl -u) is masked in the record and found nowhere in the data directory', {
  skip: missing ?? false,
}, async () => {
  const secret = 'Zq8vL2mW9xT4-pw';
  const command = `echo ran; true mysql -uroot -p${secret}; mysql -uroot -p${secret} --version >/dev/null 2>&1; curl -u admin:${secret} --version >/dev/null 2>&1; exit 0`;
  const run = await f().ssh('alice', ['alice@127.0.0.1', command]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'ran\n');
  const exec = await until('the ssh.exec record', async () =>
    (await f().events({ identity: 'alice' })).find(
      (e) => e.type === 'ssh.exec' && String(e.payload?.command).startsWith('echo ran; true mysql'),
    ),
  );
  const recorded = String(exec.payload?.command);
  assert.ok(!recorded.includes(secret), recorded);
  assert.match(recorded, /mysql -uroot -p\[MASKED:shell-secret:[0-9a-f]{6}\] --version/);
  assert.match(recorded, /curl -u admin:\[MASKED:shell-secret:[0-9a-f]{6}\]/);
  await f().gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(f().dataDir)) {
    assert.ok(!bytes.toString('latin1').includes(secret), `the password is in ${path}`);
  }
  assert.ok(!f().log().includes(secret), 'the password is in the log');
});

test('write-ahead: the command is in the ledger database when it starts on the host', {
  skip: missing ?? false,
}, async () => {
  const run = await f().ssh('alice', ['alice@127.0.0.1', f().probe('ssh.exec', 'wa-probe-exec-7')]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'recorded-before-run=1');
});

test('a denied command never starts: its marker file never appears, the user is told why', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'forbidden-marker');
  const run = await f().ssh('alice', ['alice@127.0.0.1', `touch ${marker}`]);
  assert.equal(run.code, 126);
  assert.match(run.stderr, /vigil: policy_denied: denied by rule no-forbidden: this marker may not be made/);
  assert.equal(existsSync(marker), false, 'the denied command ran');
  assert.ok(!f().sshd.log().includes('forbidden-marker'));
  const events = await f().events({ identity: 'alice' });
  const decision = events.find((e) => e.type === 'policy.decision' && e.payload?.rule === 'no-forbidden');
  assert.equal(decision?.payload?.action, 'deny');
});

test('a held command runs only after approval', { skip: missing ?? false }, async () => {
  const marker = join(f().work, 'held-marker');
  const running = f().ssh('bob', ['bob@127.0.0.1', `touch ${marker} && echo made`]);
  const held = await until(
    'a pending approval',
    async () => (await f().gateway.store.approvals.listApprovals({ status: 'pending' }))[0],
  );
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(existsSync(marker), false, 'the held command ran before approval');
  const res = await fetch(`${f().gateway.url}/api/approvals/${held.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'ok to touch' }),
  });
  assert.equal(res.status, 200);
  const run = await running;
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'made\n');
  assert.match(run.stderr, /vigil: held for approval/);
  assert.equal(existsSync(marker), true);
});

test('ssh2 as the client: keyboard-interactive token, exec, exit signal', {
  skip: missing ?? false,
}, async () => {
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    const ok = await ssh2Exec(client, 'printf ok');
    assert.deepEqual(ok, { stdout: 'ok', stderr: '', code: 0 });
    const signalled = await new Promise<string | null>((resolve, reject) => {
      client.exec('kill -TERM $$', (err, stream) => {
        if (err) return reject(err);
        let signal: string | null = null;
        stream.on('exit', (_code: number | null, sig?: string) => {
          signal = sig ?? null;
        });
        stream.on('close', () => resolve(signal));
        stream.resume();
      });
    });
    assert.equal(signalled, 'SIGTERM');
  } finally {
    client.end();
  }
});

test('a wrong token is refused and recorded as access.denied; the token never reaches the host', {
  skip: missing ?? false,
}, async () => {
  await assert.rejects(ssh2Client(f().port, 'tok-nobody-0123456789'));
  await f().gateway.recorder.drain();
  const sessions = await f().gateway.store.ledger.listSessions({ connection: 'box', identity: 'anonymous' });
  const events = (await Promise.all(sessions.map((s) => f().gateway.store.ledger.readSession(s.id)))).flat();
  assert.ok(events.some((e) => e.type === 'access.denied' && e.payload?.code === 'auth_invalid'));
});

test('agent and X11 forwarding are refused by default (ssh -A -X): the command runs, the requests are recorded as refused', {
  skip: missing ?? false,
}, async () => {
  // An agent of the user's own: without one, ssh -A asks for nothing.
  const agent = await startSshAgent();
  const run = await runProcess(
    'ssh',
    [
      '-p',
      String(f().port),
      ...f().clientOptions(),
      '-A',
      '-o',
      'ForwardX11=yes',
      'audrey@127.0.0.1',
      'echo "${SSH_AUTH_SOCK:-no-agent} ${DISPLAY:-no-display}"',
    ],
    { ...f().askpassEnv('audrey'), SSH_AUTH_SOCK: agent.socket },
  ).finally(() => agent.close());
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'no-agent no-display\n');
  const refused = await until('refused agent and X11 requests', async () => {
    const events = (await f().events({ identity: 'audrey' })).filter(
      (e) => e.type === 'ssh.forward' && (e.payload?.kind === 'agent' || e.payload?.kind === 'x11'),
    );
    return events.length >= 2 ? events : null;
  });
  assert.deepEqual(refused.map((e) => e.payload?.kind).sort(), ['agent', 'x11']);
  assert.ok(refused.every((e) => e.payload?.refused === 'forwarding_refused'));
});

test('port forwarding and agent forwarding are refused by default, and the attempts recorded', {
  skip: missing ?? false,
}, async () => {
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    await assert.rejects(
      new Promise((resolve, reject) =>
        client.forwardOut('127.0.0.1', 5000, '127.0.0.1', f().sshd.port, (err, ch) =>
          err ? reject(err) : resolve(ch),
        ),
      ),
    );
    await assert.rejects(
      new Promise((resolve, reject) =>
        client.forwardIn('127.0.0.1', 0, (err, port) => (err ? reject(err) : resolve(port))),
      ),
    );
  } finally {
    client.end();
  }
  const refused = await until('refused forwards', async () => {
    const events = (await f().events({ identity: 'alice' })).filter((e) => e.type === 'ssh.forward');
    return events.length >= 2 ? events : null;
  });
  assert.deepEqual(refused.map((e) => e.payload?.kind).sort(), ['direct-tcpip', 'tcpip-forward']);
  assert.ok(refused.every((e) => e.payload?.refused === 'forwarding_refused'));
  const decisions = (await f().events({ identity: 'alice' })).filter(
    (e) => e.type === 'policy.decision' && e.payload?.rule === 'forwarding_refused',
  );
  assert.equal(decisions.length, 2, 'each refusal is recorded as a deny decision');
});
