// The demo's SSH target as a user meets it: the OpenSSH client through Vigil's `ssh` connection to
// the ssh2-based demo host (no sshd needed), a remote command, an interactive shell with a
// terminal, the demo's guardrails, and `vigil keys ssh-host` naming the key the client saw.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ssh2 from 'ssh2';
import { DEMO_SSH_KEY_ENV, DEMO_TOKENS, demoConfig } from '../../src/demo/demo-config.js';
import { type DemoSshHost, startDemoSshHost } from '../../src/demo/demo-ssh-host.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { runCli, runProcess } from '../support/cli.js';
import { until } from './ssh-fixture.js';

let host: DemoSshHost;
let gateway: Gateway;
let port: number;
let dataDir: string;
let askpass: string;

before(async () => {
  host = await startDemoSshHost();
  process.env[DEMO_SSH_KEY_ENV] = host.privateKey;
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-ssh-data-'));
  const demo = demoConfig('http://127.0.0.1:9', {
    dataDir,
    sshUpstream: host.address,
    sshListen: '127.0.0.1:0',
  });
  gateway = await startGateway(
    { ...demo, config: { ...demo.config, log_level: 'silent' } },
    { listen: '127.0.0.1:0' },
  );
  const bound = gateway.listeners.find((l) => l.connection === 'ssh')!.address;
  port = Number(bound.slice(bound.lastIndexOf(':') + 1));
  askpass = join(mkdtempSync(join(tmpdir(), 'vigil-askpass-')), 'alice');
  writeFileSync(askpass, `#!/bin/sh\necho ${DEMO_TOKENS.alice}\n`, { mode: 0o755 });
});
after(async () => {
  await gateway?.close();
  await host?.close();
});

const ssh = (args: string[]) =>
  runProcess(
    'ssh',
    [
      '-p',
      String(port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'LogLevel=ERROR',
      'alice@127.0.0.1',
      ...args,
    ],
    { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
  );

test('ssh -p PORT alice@127.0.0.1 CMD runs in the demo host directory; the demo guardrails deny rm -rf /', async () => {
  const run = await ssh(['echo made > note.txt && cat note.txt && pwd']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, `made\n${host.home}\n`);
  const wipe = await ssh(['rm -rf /']);
  assert.equal(wipe.code, 126);
  assert.match(wipe.stderr, /denied by rule no-wipe/);
  const off = await ssh(['sudo shutdown -h now']);
  assert.match(off.stderr, /denied by rule no-power-off/);
});

test('an interactive shell with a terminal on the demo host, its lines recorded', async () => {
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
    client.connect({ host: '127.0.0.1', port, username: 'alice', password: DEMO_TOKENS.alice });
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    client.shell({ term: 'xterm', cols: 100, rows: 30 }, (err, stream) => {
      if (err) return reject(err);
      stream.on('data', (c: Buffer) => {
        out += c.toString();
      });
      stream.on('close', () => resolve());
      stream.write('echo sum-$((2+3))\r');
      void until('the answer', async () => (out.includes('sum-5') ? true : null)).then(() =>
        stream.write('exit\r'),
      );
    });
  });
  client.end();
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection: 'ssh' });
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  assert.ok(events.some((e) => e.type === 'ssh.command' && e.payload?.command === 'echo sum-$((2+3))'));
});

test('vigil keys ssh-host prints the fingerprint the client sees', async () => {
  const keys = await runCli(['--data', dataDir, 'keys', 'ssh-host', '--json']);
  assert.equal(keys.code, 0, keys.stderr);
  const { fingerprint } = JSON.parse(keys.stdout) as { fingerprint: string };
  const scan = await runProcess('ssh-keyscan', ['-p', String(port), '-t', 'ed25519', '127.0.0.1']);
  const seen = await runProcess('ssh-keygen', ['-l', '-f', '-'], {}, scan.stdout);
  assert.equal(seen.stdout.split(' ')[1], fingerprint);
});
