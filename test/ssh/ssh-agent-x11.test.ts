// Agent and X11 forwarding on a connection that allows them, against a real OpenSSH server: the
// request is recorded, and each channel the host opens back (the host using the user's agent, an
// X client on the host reaching the user's display) is judged, relayed and recorded with its bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientChannel } from 'ssh2';
import { runProcess } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { ssh2Client, sshFixtureForFile, startSshAgent, until } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({
  connection: { allow_agent_forwarding: true, allow_x11_forwarding: true },
});

test('ssh -A: the host lists the keys of the user’s own agent through Vigil, and each use is recorded', {
  skip: missing ?? false,
}, async () => {
  const agent = await startSshAgent();
  try {
    const fingerprint = agent.addKey();
    const run = await runProcess(
      'ssh',
      ['-p', String(f().port), ...f().clientOptions(), '-A', 'alice@127.0.0.1', 'ssh-add -l'],
      { ...f().askpassEnv('alice'), SSH_AUTH_SOCK: agent.socket },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(fingerprint), `the host sees the user's key: ${run.stdout}`);
  } finally {
    agent.close();
  }
  const forwards = await until('the agent channel record', async () => {
    const list = (await f().events({ identity: 'alice' })).filter(
      (e) => e.type === 'ssh.forward' && e.payload?.kind === 'agent',
    );
    return list.some((e) => e.payload?.phase === 'closed') ? list : null;
  });
  const phases = forwards.map((e) => e.payload?.phase);
  assert.deepEqual(phases.slice(0, 3), ['requested', 'open', 'closed']);
  const closed = forwards.find((e) => e.payload?.phase === 'closed')!;
  assert.ok(Number(closed.payload?.bytes_to_host) > 0, 'the agent answered');
  assert.ok(Number(closed.payload?.bytes_from_host) > 0, 'the host asked');
  assert.ok(!forwards.some((e) => e.payload?.refused), 'nothing was refused');
});

test('X11 (ssh2 as the client): an X client on the host reaches the user’s display through Vigil, recorded with its bytes', {
  skip: missing ?? false,
}, async () => {
  const client = await ssh2Client(f().port, TOKENS.alice);
  const cookie = 'ab'.repeat(16);
  // The user's X server: answers each connection's first bytes with "X:" and those bytes.
  client.on('x11', (_info, accept) => {
    const display = accept();
    display.once('data', (c: Buffer) => display.end(Buffer.concat([Buffer.from('X:'), c])));
  });
  // On the host, the X client: connects to the display sshd set up and says hello.
  const script =
    'd=${DISPLAY#*:}; n=${d%.*}; exec 3<>/dev/tcp/127.0.0.1/$((6000+n)) && printf hello >&3 && head -c 7 <&3';
  try {
    const output = await new Promise<string>((resolve, reject) => {
      client.exec(
        `bash -c '${script}'`,
        { x11: { single: false, screen: 0, protocol: 'MIT-MAGIC-COOKIE-1', cookie } },
        (err, stream: ClientChannel) => {
          if (err) return reject(err);
          let out = '';
          let errText = '';
          stream.on('data', (c: Buffer) => {
            out += c.toString();
          });
          stream.stderr.on('data', (c: Buffer) => {
            errText += c.toString();
          });
          stream.on('close', () => (out ? resolve(out) : reject(new Error(`no output: ${errText}`))));
        },
      );
    });
    assert.equal(output, 'X:hello');
  } finally {
    client.end();
  }
  const forwards = await until('the X11 channel record', async () => {
    const list = (await f().events({ identity: 'alice' })).filter(
      (e) => e.type === 'ssh.forward' && e.payload?.kind === 'x11',
    );
    return list.some((e) => e.payload?.phase === 'closed') ? list : null;
  });
  const requested = forwards.find((e) => e.payload?.phase === 'requested');
  assert.equal(requested?.payload?.screen, 0);
  assert.ok(!JSON.stringify(forwards).includes(cookie), 'the X11 cookie is never recorded');
  const open = forwards.find((e) => e.payload?.phase === 'open')!;
  const closed = forwards.find((e) => e.payload?.phase === 'closed')!;
  assert.match(String(open.payload?.origin), /^127\.0\.0\.1:\d+$/);
  assert.ok(open.seq < closed.seq);
  assert.equal(closed.payload?.bytes_from_host, 'hello'.length, 'bytes the X client sent');
  assert.equal(closed.payload?.bytes_to_host, 'X:hello'.length, 'bytes the display answered');
});
