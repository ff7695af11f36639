// Resource exhaustion through the MySQL front door: what a client can make the gateway hold. Before
// 5 December a client that flooded its socket while Vigil logged in upstream was read into memory
// without bound, and one that pipelined 100,000 pings stalled the gateway for minutes (every packet
// scanned the queue of unanswered commands). Through the gateway, against a real MariaDB (and, for
// the login, its greeting replayed by a target that then never answers).
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { CAP } from '../../src/protocols/mysql/constants.js';
import { handshakeResponsePayload } from '../../src/protocols/mysql/handshake-messages.js';
import { packet } from '../../src/protocols/mysql/packet-writer.js';
import { MAX_UNANSWERED_COMMANDS } from '../../src/protocols/mysql/response-tracker.js';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { connectToListener, loginFlood } from '../support/login-flood.js';
import { gatewayPort, mysqlFixtureForFile } from './mysql-gateway.js';
import { RawMysqlClient } from './raw-client.js';

const { skip, f } = mysqlFixtureForFile('vigil_attacker_flow');

/** The first packet a real server sends (its greeting), as bytes to replay. */
async function realGreeting(port: number, host: string): Promise<Buffer> {
  const s = connect({ host, port });
  try {
    let got = Buffer.alloc(0);
    for (;;) {
      const chunk = await new Promise<Buffer>((resolve, reject) => {
        s.once('data', resolve);
        s.once('error', reject);
      });
      got = Buffer.concat([got, chunk]);
      if (got.length >= 4 && got.length >= 4 + got.readUIntLE(0, 3))
        return got.subarray(0, 4 + got.readUIntLE(0, 3));
    }
  } finally {
    s.destroy();
  }
}

/** A target that greets as MariaDB does and then never answers: Vigil's login upstream waits on it. */
async function silentTarget(greeting: Buffer): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.write(greeting);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

test('a client that floods its socket while Vigil logs in upstream is not read without bound', {
  skip,
}, async () => {
  const target = await silentTarget(await realGreeting(f().server.port, f().server.host));
  process.env.VIGIL_TEST_MYSQL_PASSWORD ??= 'unused';
  const gateway = await startTestGateway({
    connections: [
      {
        name: 'my-silent',
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://vigil@127.0.0.1:${target.port}/app`,
        credential: 'env:VIGIL_TEST_MYSQL_PASSWORD',
        allow: ['*'],
      },
    ],
  });
  try {
    const socket = await connectToListener(gateway, 'my-silent');
    // Vigil's greeting.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    const login = packet(
      1,
      handshakeResponsePayload({
        capabilities: CAP.DEPRECATE_EOF | CAP.MULTI_RESULTS,
        charset: 45,
        user: 'alice',
        authResponse: Buffer.from(`${TOKENS.alice}\0`),
        database: null,
        authPlugin: 'mysql_clear_password',
      }),
    );
    // The token, then 64 MiB of queries pipelined behind it while Vigil waits on the target.
    const query = packet(
      0,
      Buffer.concat([Buffer.from([0x03]), Buffer.from(`SELECT 1 /* ${'x'.repeat(64 * 1024)} */`)]),
    );
    const outcome = loginFlood(socket, login, query);
    // The login upstream times out (10 s) and the client is closed. Before 5 December the gateway
    // had read all 64 MiB into memory long before that.
    assert.equal(await outcome, 'not read');
    socket.destroy();
  } finally {
    await gateway.close();
    for (const s of target.sockets) s.destroy();
    target.server.close();
  }
});

// The relay stops reading a client once the server owes answers to MAX_UNANSWERED_COMMANDS of its
// commands; a client that pipelines past that before reading must still get every answer.
test('a client pipelining past the backlog bound gets every answer', { skip }, async () => {
  const c = await RawMysqlClient.open(gatewayPort(f()));
  try {
    await c.login(null);
    const count = MAX_UNANSWERED_COMMANDS * 2 + 500;
    c.socket.write(Buffer.concat(Array.from({ length: count }, () => packet(0, Buffer.from([0x0e])))));
    for (let i = 0; i < count; i++) {
      const ok = await c.next();
      assert.equal(ok?.payload[0], 0x00, `answer ${i}`);
    }
  } finally {
    c.socket.destroy();
  }
});
