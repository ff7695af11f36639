// Signing in with a public key registered to an identity (ssh_keys in vigil.yaml), with the real
// OpenSSH client (`ssh -i KEY`) through Vigil to a real OpenSSH server: a registered key gets in
// as its identity and its commands are recorded as that identity's; a key registered to no one is
// refused and recorded as access.denied, and its command never runs; a disabled identity's key is
// refused like its token would be. Keys are made with ssh-keygen for the test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nowIso } from '../../src/core/events.js';
import { openStore } from '../../src/store/index.js';
import { runProcess } from '../support/cli.js';
import { TEST_IDENTITIES } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { type SshFixture, startSshFixture, until } from './ssh-fixture.js';

const missing = sshdMissing();
let f: SshFixture;
const keys = mkdtempSync(join(tmpdir(), 'vigil-ssh-keys-'));

function makeKey(name: string, type: 'ed25519' | 'ecdsa'): string {
  const file = join(keys, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', `${name}@test`, '-f', file]);
  return file;
}

/** `ssh-keygen -l` output's fingerprint for a key file. */
function fingerprint(file: string): string {
  return execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`])
    .toString()
    .split(' ')[1]!;
}

let aliceKey = '';
let bobKey = '';
let strangerKey = '';
let audreyKey = '';

before(async () => {
  if (missing) return;
  aliceKey = makeKey('alice', 'ed25519');
  bobKey = makeKey('bob', 'ecdsa');
  strangerKey = makeKey('stranger', 'ed25519');
  audreyKey = makeKey('audrey', 'ed25519');
  const registered: Record<string, string[]> = {
    // Written with options and another comment: the key itself is what counts.
    alice: [
      `no-agent-forwarding ${readFileSync(`${aliceKey}.pub`, 'utf8').trim().replace('alice@test', 'laptop')}`,
    ],
    bob: [readFileSync(`${bobKey}.pub`, 'utf8').trim()],
    audrey: [readFileSync(`${audreyKey}.pub`, 'utf8').trim()],
  };
  f = await startSshFixture({
    identities: TEST_IDENTITIES.map((i) => ({ ...i, ssh_keys: registered[i.name] ?? [] })),
  });
});
after(async () => {
  if (!missing) await f.close();
});

/** The OpenSSH client through Vigil signing in only with this key (no token, no agent). */
function sshWithKey(key: string, command: string) {
  return runProcess('ssh', [
    '-p',
    String(f.port),
    '-i',
    key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'PubkeyAuthentication=yes',
    '-o',
    'PreferredAuthentications=publickey',
    '-o',
    'BatchMode=yes',
    ...f.clientOptions(),
    'someone@127.0.0.1',
    command,
  ]);
}

test('a registered key signs in as its identity; its command runs and is recorded as theirs', {
  skip: missing ?? false,
}, async () => {
  const run = await sshWithKey(aliceKey, 'echo signed-in-by-key');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'signed-in-by-key\n');
  const [events] = (await f.sessions({ identity: 'alice' })).slice(-1);
  const start = events!.find((e) => e.type === 'session.start');
  assert.equal(start?.identity.subject, 'alice');
  assert.equal(start?.payload?.public_key, fingerprint(aliceKey));
  const exec = events!.find((e) => e.type === 'ssh.exec');
  assert.equal(exec?.payload?.command, 'echo signed-in-by-key');
});

test('a key registered to no one is refused, recorded as access.denied, and its command never runs', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f.work, 'stranger-marker');
  const run = await sshWithKey(strangerKey, `touch ${marker}`);
  assert.equal(run.code, 255);
  assert.match(run.stderr, /Permission denied/);
  assert.equal(existsSync(marker), false);
  const denied = (await f.events()).find(
    (e) => e.type === 'access.denied' && e.payload?.public_key === fingerprint(strangerKey),
  );
  assert.equal(denied?.payload?.code, 'auth_invalid');
  assert.ok(
    !(await f.events()).some((e) => e.type === 'ssh.exec' && String(e.payload?.command).includes(marker)),
  );
});

test("a disabled identity's key is refused and recorded like its token would be", {
  skip: missing ?? false,
}, async () => {
  const before = await sshWithKey(bobKey, 'echo bob-before');
  assert.equal(before.code, 0, before.stderr);
  const other = await openStore({ ...f.config, append_in_worker: false }, f.dataDir);
  await other.access.disableIdentity('bob', nowIso(), 'contract ended');
  await other.close();
  const marker = join(f.work, 'bob-after-marker');
  // The gateway reads the disabled list at its next poll; until then bob may still get in.
  await until(
    'the key refused',
    async () => {
      const run = await sshWithKey(bobKey, 'echo bob-after');
      return run.code === 255 ? run : null;
    },
    30_000,
  );
  const refused = await sshWithKey(bobKey, `touch ${marker}`);
  assert.equal(refused.code, 255);
  // A refusal is recorded before anyone is admitted (as for a refused token): found by the key's fingerprint.
  const denied = (await f.events()).filter(
    (e) => e.type === 'access.denied' && e.payload?.public_key === fingerprint(bobKey),
  );
  assert.ok(denied.length > 0);
  assert.equal(denied.at(-1)!.payload?.code, 'auth_revoked');
  assert.equal(existsSync(marker), false);
});

test('offboarding cuts a live session signed in with a key, and records access.revoked', {
  skip: missing ?? false,
}, async () => {
  const running = sshWithKey(audreyKey, 'echo audrey-in; sleep 60');
  // Live: the host has answered (its output is recorded) before the identity is disabled.
  await until('the command running', async () =>
    (await f.events({ identity: 'audrey' })).some(
      (e) => e.type === 'ssh.output' && JSON.stringify(e.payload).includes('audrey-in'),
    ),
  );
  const other = await openStore({ ...f.config, append_in_worker: false }, f.dataDir);
  await other.access.disableIdentity('audrey', nowIso(), 'left');
  await other.close();
  const run = await running;
  assert.notEqual(run.code, 0);
  assert.match(run.stdout, /audrey-in/);
  const events = await until('session.end', async () => {
    const list = await f.events({ identity: 'audrey' });
    return list.some((e) => e.type === 'session.end') ? list : null;
  });
  assert.ok(events.some((e) => e.type === 'access.revoked'));
});
