// A forward's destination is a name the host resolves: OpenSSH's sshd hands it to getaddrinfo,
// which reads IPv4 addresses as inet_aton does (`127.1`, `2130706433`, `0x7f.0.0.1`,
// `0177.0.0.1` are all 127.0.0.1) and IPv4-mapped IPv6 (`::ffff:127.0.0.1`) as the address it
// maps. A rule written for the address (`^direct-tcpip 127\.0\.0\.1:`) must hold for every
// spelling the host reads as it: none of them may reach the listener.
import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { sshdMissing } from '../support/openssh-server.js';
import { type SshFixture, ssh2Client, startSshFixture, until } from './ssh-fixture.js';

const missing = sshdMissing();
let f: SshFixture;
let listener: Server;
let reached = 0;
const HOSTS = [
  '127.0.0.1',
  '127.1',
  '2130706433',
  '0x7f.0.0.1',
  '0177.0.0.01',
  '::ffff:127.0.0.1',
  '[::ffff:7f00:1]',
  'LOCALHOST.',
  '0.0.0.0',
];

before(async () => {
  if (missing) return;
  listener = createServer((socket) => {
    reached++;
    socket.end('secret-service\n');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  f = await startSshFixture({
    connection: { allow_port_forwarding: true },
    policy: {
      rules: [
        {
          name: 'no-loopback',
          match: { events: ['ssh.forward'], pattern: '^direct-tcpip 127\\.0\\.0\\.1:' },
          action: 'deny',
          reason: 'the host’s own services are off limits',
        },
      ],
    },
  });
});
after(async () => {
  if (missing) return;
  await f.close();
  listener.close();
});

test('a forward to the loopback address spelled as the host’s resolver also reads it is denied', {
  skip: missing ?? false,
}, async () => {
  const port = (listener.address() as AddressInfo).port;
  const client = await ssh2Client(f.port, TOKENS.alice);
  const open = (host: string) =>
    new Promise<string>((resolve) => {
      client.forwardOut('127.0.0.1', 5555, host, port, (err, ch) => {
        if (err) return resolve('refused');
        let out = '';
        ch.on('data', (c: Buffer) => {
          out += c.toString('latin1');
        });
        ch.on('close', () => resolve(out));
      });
    });
  try {
    for (const host of HOSTS) {
      assert.equal(await open(host), 'refused', host);
    }
  } finally {
    client.end();
  }
  assert.equal(reached, 0, 'a denied forward reached the listener');
  const denied = await until('the refusals', async () => {
    const events = await f.events({ identity: 'alice' });
    const forwards = events.filter((e) => e.type === 'ssh.forward');
    return forwards.length >= HOSTS.length ? forwards : null;
  });
  assert.ok(denied.every((e) => e.payload?.phase === 'open'));
});
