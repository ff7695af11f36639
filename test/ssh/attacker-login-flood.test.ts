// A flood of connections that never sign in, at the SSH front door. Until 5 December the listener
// took any number of them and kept each for as long as the client liked: Vigil had no limit on
// connections before authentication and no time limit on signing in. Now at most
// `listeners.max_pending_logins` may be signing in at once (3 here): the next connection is closed
// before a byte is sent, as OpenSSH does past MaxStartups; and one that has not signed in after
// `listeners.login_timeout` is closed, as OpenSSH does after LoginGraceTime. Through the gateway, to
// a real OpenSSH server, with the OpenSSH client and ssh2.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type ssh2 from 'ssh2';
import { runProcess } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { connectToListener } from '../support/login-flood.js';
import { type OpenSshServer, sshdMissing, startOpenSshServer } from '../support/openssh-server.js';
import { ssh2Client, ssh2Exec } from './ssh-fixture.js';

const LIMIT = 3;
const missing = sshdMissing();
const skip = missing ?? false;
let sshd: OpenSshServer;

before(async () => {
  if (missing) return;
  sshd = await startOpenSshServer();
  process.env.VIGIL_TEST_SSH_FLOOD_KEY = sshd.clientKey;
});
after(async () => {
  if (!missing) await sshd.close();
});

/** The flood comes from one address: its share is the listener's whole, so the listener's bound is what is tested. */
function gateway(listeners: Record<string, unknown>): Promise<TestGateway> {
  return startTestGateway({
    listeners: { max_pending_logins_per_source: listeners.max_pending_logins, ...listeners },
    connections: [
      {
        name: 'box',
        type: 'ssh',
        upstream: sshd.address,
        listen: '127.0.0.1:0',
        user: sshd.user,
        credential: 'env:VIGIL_TEST_SSH_FLOOD_KEY',
        allow: ['*'],
      },
    ],
  });
}

const portOf = (g: TestGateway) => {
  const address = g.listeners.find((l) => l.connection === 'box')!.address;
  return Number(address.slice(address.lastIndexOf(':') + 1));
};

async function flood(g: TestGateway): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < LIMIT; i++) sockets.push(await connectToListener(g, 'box'));
  return sockets;
}

/** What the gateway does first with a new connection: says something, or closes it. */
async function firstMove(g: TestGateway): Promise<string> {
  const socket = await connectToListener(g, 'box');
  try {
    return await new Promise<string>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(`said ${chunk.toString('latin1').trim()}`));
      socket.once('close', () => resolve('closed'));
    });
  } finally {
    socket.destroy();
  }
}

/** Signs in with ssh2 and runs a command, until it works: a slot is freed when the gateway sees a close. */
async function eventuallySignsIn(port: number): Promise<void> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    try {
      const client = await ssh2Client(port, TOKENS.alice);
      try {
        assert.equal((await ssh2Exec(client, 'echo in')).stdout, 'in\n');
        return;
      } finally {
        client.end();
      }
    } catch (err) {
      last = (err as Error).message;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.fail(`never signed in: ${last}`);
}

test('past the limit of connections signing in, a new one is closed unanswered, and gets in once they leave', {
  skip,
}, async () => {
  const g = await gateway({ max_pending_logins: LIMIT });
  try {
    assert.match(await firstMove(g), /^said SSH-2\.0-Vigil/);
    const sockets = await flood(g);
    try {
      assert.equal(await firstMove(g), 'closed');
      const ssh = await runProcess(
        'ssh',
        [
          '-p',
          String(portOf(g)),
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'BatchMode=yes',
          'alice@127.0.0.1',
          'true',
        ],
        {},
      );
      assert.equal(ssh.code, 255);
      assert.match(ssh.stderr, /Connection (closed|reset)|kex_exchange_identification/);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await eventuallySignsIn(portOf(g));
  } finally {
    await g.close();
  }
});

test('sessions signed in are not counted; failed sign-ins free their slots', { skip }, async () => {
  const g = await gateway({ max_pending_logins: LIMIT });
  const clients: ssh2.Client[] = [];
  try {
    for (let i = 0; i < LIMIT + 1; i++) clients.push(await ssh2Client(portOf(g), TOKENS.alice));
    for (let i = 0; i < LIMIT + 1; i++)
      await assert.rejects(ssh2Client(portOf(g), 'tok-wrong-0123456789'), /authentication methods failed/);
    const sockets = await flood(g);
    try {
      assert.equal(await firstMove(g), 'closed');
      for (const c of clients) assert.equal((await ssh2Exec(c, 'echo still')).stdout, 'still\n');
    } finally {
      for (const s of sockets) s.destroy();
    }
    await eventuallySignsIn(portOf(g));
  } finally {
    for (const c of clients) c.end();
    await g.close();
  }
});

test('a connection that has not signed in by the login timeout is closed', {
  skip,
  timeout: 20_000,
}, async () => {
  const g = await gateway({ max_pending_logins: LIMIT, login_timeout: '1s' });
  try {
    const sockets = await flood(g);
    // The gateway closes each; before 5 December they stayed open for as long as the client liked.
    await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('close', resolve).resume())));
    await eventuallySignsIn(portOf(g));
  } finally {
    await g.close();
  }
});
