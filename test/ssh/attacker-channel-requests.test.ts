// Attacks with channel requests sent in an order OpenSSH's client never uses (ssh2's protocol layer
// as the client): an `env` request after the exec it should have preceded, and a second exec on a
// channel that already runs one. The first reached the host after the command was judged without
// it (a deny rule on the environment held nothing, and the record showed no environment); the
// second ran a judged but channel-less program on the host and crashed the gateway's process
// (an unhandled rejection in the refusal path).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type ssh2 from 'ssh2';
import { TOKENS } from '../support/gateway.js';
import { NO_FORBIDDEN_MARKER, ssh2Client, ssh2Exec, sshFixtureForFile } from './ssh-fixture.js';

const { missing, f } = sshFixtureForFile({ policy: { rules: [NO_FORBIDDEN_MARKER] } });

/** ssh2's protocol layer: requests on a channel, sent in whatever order a test chooses. */
interface RawProtocol {
  exec(channel: number, command: string, wantReply: boolean): void;
  env(channel: number, key: string, value: string, wantReply: boolean): void;
}

/**
 * Runs `command` through ssh2 and, in the same write as its exec request (so before Vigil has
 * judged it), sends what `thenSend` sends on the same channel.
 */
function execThen(
  client: ssh2.Client,
  command: string,
  thenSend: (protocol: RawProtocol, channel: number) => void,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const protocol = (client as unknown as { _protocol: RawProtocol })._protocol;
  const exec = protocol.exec.bind(protocol);
  protocol.exec = (channel, text, wantReply) => {
    exec(channel, text, wantReply);
    protocol.exec = exec;
    thenSend(protocol, channel);
  };
  return ssh2Exec(client, command);
}

test('an env request sent after the exec never reaches the host: the command runs with the environment it was judged with', {
  skip: missing ?? false,
}, async () => {
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    const run = await execThen(client, 'echo "[late:$VIGIL_TEST_LATE]"', (protocol, channel) =>
      protocol.env(channel, 'VIGIL_TEST_LATE', 'forbidden-marker', false),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '[late:]\n', 'the host got an environment variable no rule judged');
  } finally {
    client.end();
  }
  const events = await f().events({ identity: 'alice' });
  const exec = events.find((e) => e.type === 'ssh.exec' && String(e.payload?.command).includes('[late:'));
  assert.deepEqual(exec?.payload?.env, {});
});

test('a second exec on a channel already running one is refused: it never runs, and the gateway stays up', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'second-exec');
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    const run = await execThen(client, 'echo first; sleep 1', (protocol, channel) =>
      protocol.exec(channel, `touch ${marker}`, false),
    );
    assert.equal(run.stdout, 'first\n', run.stderr);
    assert.equal(run.code, 0);
  } finally {
    client.end();
  }
  // Long enough for the second channel the old code opened on the host to close.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(existsSync(marker), false, 'the second exec ran on the host');
  const again = await ssh2Client(f().port, TOKENS.alice);
  try {
    assert.equal((await ssh2Exec(again, 'echo still-up')).stdout, 'still-up\n');
  } finally {
    again.end();
  }
});

test('ssh -T: a line with a NUL byte (which bash drops: it split a denied word) is refused, never run', {
  skip: missing ?? false,
}, async () => {
  const marker = join(f().work, 'forbidden-marker-nul');
  const cut = marker.indexOf('marker-nul');
  const run = await f().ssh(
    'alice',
    ['-T', 'alice@127.0.0.1'],
    `touch ${marker.slice(0, cut)}\0${marker.slice(cut)}\n`,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(existsSync(marker), false, 'the denied line ran');
  assert.match(run.stderr, /vigil: statement_uncertain: .*NUL/);
  assert.equal(run.code, 126);
});

test('a command with a NUL byte (which hosts other than OpenSSH cut there) is refused, recorded, never run', {
  skip: missing ?? false,
}, async () => {
  const client = await ssh2Client(f().port, TOKENS.alice);
  try {
    const run = await ssh2Exec(client, 'echo nul-ran\0; echo after');
    assert.equal(run.code, 126);
    assert.match(run.stderr, /vigil: statement_uncertain/);
    assert.equal(run.stdout, '');
  } finally {
    client.end();
  }
  const events = await f().events({ identity: 'alice' });
  assert.ok(
    events.some((e) => e.type === 'ssh.exec' && String(e.payload?.command).startsWith('echo nul-ran')),
  );
});
