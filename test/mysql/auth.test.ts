// Authentication through Vigil: the token as the password over caching_sha2_password, with TLS
// (cleartext inside it) and without (the RSA exchange), the auth switch for clients that offer
// mysql_native_password, mysql_clear_password, refusals recorded, TLS required off loopback; and
// upstream: the injected password of a dedicated user, and Vigil's own caching_sha2_password
// client (fast path refused, full authentication over RSA and over TLS with the CA pinned), shown
// by chaining two Vigil connections.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { StoredEvent } from '../../src/core/events.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import {
  clientArgs,
  type MysqlFixture,
  mysqlEvents,
  runClient,
  startMysqlFixture,
  UPSTREAM_PASSWORD,
  vigilOptions,
} from './mysql-gateway.js';

const unavailable = mariadbUnavailable();
let f: MysqlFixture;
let certDir: string;
let cert: string;

before(async () => {
  if (unavailable) return;
  certDir = mkdtempSync(join(tmpdir(), 'vigil-mysql-cert-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
  f = await startMysqlFixture('vigil_auth', {
    tls: { cert: `file:${join(certDir, 'cert.pem')}`, key: `file:${join(certDir, 'key.pem')}` },
  });
});
after(async () => {
  if (f) await f.close();
});

async function lastSessionStart(fixture: { gateway: TestGateway }, connection = 'my'): Promise<StoredEvent> {
  await fixture.gateway.recorder.drain();
  const sessions = await fixture.gateway.store.ledger.listSessions({ connection, limit: 1000 });
  const latest = sessions.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).at(-1)!;
  return (await fixture.gateway.store.ledger.readSession(latest.id))[0]!;
}

async function whoAmI(options: object): Promise<string> {
  const c = await mysql.createConnection(options);
  try {
    const [rows] = (await c.query('select current_user() as u')) as unknown as [{ u: string }[]];
    return rows[0]!.u;
  } finally {
    await c.end();
  }
}

test('mysql2 without TLS: caching_sha2_password full authentication with the RSA key exchange', {
  skip: unavailable ?? false,
}, async () => {
  // The upstream sees the injected user, never the client's name or token.
  assert.equal(await whoAmI(vigilOptions(f)), 'vigil_upstream@localhost');
  const start = await lastSessionStart(f);
  assert.equal(start.payload?.tls, false);
  assert.equal(start.payload?.auth_method, 'caching_sha2_password/rsa');
  assert.equal(start.identity.subject, 'alice');
});

test('mysql2 over TLS: the token in cleartext inside TLS, the certificate checked by the client', {
  skip: unavailable ?? false,
}, async () => {
  assert.equal(await whoAmI({ ...vigilOptions(f), ssl: { ca: cert } }), 'vigil_upstream@localhost');
  const start = await lastSessionStart(f);
  assert.equal(start.payload?.tls, true);
  assert.equal(start.payload?.auth_method, 'caching_sha2_password/tls');
});

test('the mariadb client: with and without TLS, and the auth switch from mysql_native_password', {
  skip: unavailable ?? false,
}, async () => {
  const sql = ['-N', '-e', 'select current_user()'];
  // MariaDB's client uses TLS whenever the server offers it, unless told not to.
  const plain = await runClient('mariadb', [...clientArgs(vigilOptions(f)), '--skip-ssl', ...sql]);
  assert.equal(plain.stdout.trim(), 'vigil_upstream@localhost', plain.stderr);
  const plainAuth = String((await lastSessionStart(f)).payload?.auth_method);
  const tls = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f)),
    '--ssl',
    `--ssl-ca=${join(certDir, 'cert.pem')}`,
    '--ssl-verify-server-cert',
    ...sql,
  ]);
  assert.equal(tls.stdout.trim(), 'vigil_upstream@localhost', tls.stderr);
  assert.equal((await lastSessionStart(f)).payload?.auth_method, 'caching_sha2_password/tls');
  const native = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f)),
    '--default-auth=mysql_native_password',
    ...sql,
  ]);
  assert.equal(native.stdout.trim(), 'vigil_upstream@localhost', native.stderr);
  assert.match(
    String((await lastSessionStart(f)).payload?.auth_method),
    /^mysql_native_password>caching_sha2_password\//,
  );
  const clear = await runClient('mariadb', [
    ...clientArgs(vigilOptions(f)),
    '--default-auth=mysql_clear_password',
    ...sql,
  ]);
  assert.equal(clear.stdout.trim(), 'vigil_upstream@localhost', clear.stderr);
  assert.equal((await lastSessionStart(f)).payload?.auth_method, 'mysql_clear_password');
  // Without TLS, MariaDB's client asks for the RSA key like mysql2 (docs/mysql.md).
  assert.equal(plainAuth, 'caching_sha2_password/rsa');
});

test('a wrong or missing token is refused with 1045 and recorded as access.denied', {
  skip: unavailable ?? false,
}, async () => {
  await assert.rejects(
    mysql.createConnection(vigilOptions(f, 'tok-not-a-token')),
    (e: { errno: number; sqlState: string }) => {
      assert.equal(e.errno, 1045);
      assert.equal(e.sqlState, '28000');
      return true;
    },
  );
  await assert.rejects(mysql.createConnection({ ...vigilOptions(f), password: '' }), { errno: 1045 });
  const denied = (await mysqlEvents(f)).filter((e) => e.type === 'access.denied');
  assert.ok(denied.length >= 2);
  assert.equal(JSON.stringify(denied).includes('tok-not-a-token'), false);
});

test('off loopback, a client without TLS is refused before it sends a token', {
  skip: unavailable ?? false,
}, async (t) => {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!address) return t.skip('this machine has no non-loopback IPv4 address to connect from');
  const g = await startTestGateway({
    connections: [
      {
        name: 'wide',
        type: 'mysql',
        listen: `${address}:0`,
        upstream: `mysql://vigil_upstream@${f.server.host}:${f.server.port}/vigil_auth`,
        credential: 'env:VIGIL_TEST_MYSQL_PASSWORD',
        allow: ['*'],
        tls: { cert: `file:${join(certDir, 'cert.pem')}`, key: `file:${join(certDir, 'key.pem')}` },
      },
    ],
  });
  try {
    const port = Number(g.listeners[0]!.address.split(':').at(-1));
    await assert.rejects(
      mysql.createConnection({ host: address, port, user: 'alice', password: TOKENS.alice }),
      (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1045);
        assert.match(e.message, /requires TLS/);
        return true;
      },
    );
    // With TLS it works from the same address.
    const c = await mysql.createConnection({
      host: address,
      port,
      user: 'alice',
      password: TOKENS.alice,
      ssl: { rejectUnauthorized: false },
    });
    await c.query('select 1');
    await c.end();
  } finally {
    await g.close();
  }
});

test('upstream: Vigil logs in with the injected password; a wrong one fails without leaking it', {
  skip: unavailable ?? false,
}, async () => {
  process.env.VIGIL_TEST_MYSQL_WRONG = 'not-the-password';
  const g = await startTestGateway({
    connections: [
      {
        name: 'wrong',
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://vigil_upstream@${f.server.host}:${f.server.port}/vigil_auth`,
        credential: 'env:VIGIL_TEST_MYSQL_WRONG',
        allow: ['*'],
      },
    ],
  });
  try {
    const port = Number(g.listeners[0]!.address.split(':').at(-1));
    await assert.rejects(
      mysql.createConnection({ host: '127.0.0.1', port, user: 'alice', password: TOKENS.alice }),
      (e: { message: string }) => {
        assert.match(e.message, /upstream refused Vigil's login \(1045\)/);
        assert.equal(e.message.includes('not-the-password'), false);
        return true;
      },
    );
  } finally {
    await g.close();
  }
  // The right one, through the fixture, and never in the ledger even when a client selects it.
  const c = await mysql.createConnection(vigilOptions(f));
  await c.execute('select ? as p', [UPSTREAM_PASSWORD]);
  await c.end();
  assert.equal(JSON.stringify(await mysqlEvents(f)).includes(UPSTREAM_PASSWORD), false);
});

test('upstream caching_sha2_password: Vigil in front of Vigil, over RSA and over TLS with the CA pinned', {
  skip: unavailable ?? false,
}, async () => {
  const inner = `${f.host}:${f.port}`;
  process.env.VIGIL_TEST_INNER_TOKEN = TOKENS.bob;
  const g = await startTestGateway({
    connections: [
      {
        name: 'chain-rsa',
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://alice@${inner}/vigil_auth`,
        credential: 'env:VIGIL_TEST_INNER_TOKEN',
        allow: ['*'],
      },
      {
        name: 'chain-tls',
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://alice@${inner}/vigil_auth`,
        credential: 'env:VIGIL_TEST_INNER_TOKEN',
        allow: ['*'],
        upstream_tls: 'verify-full',
        upstream_ca: `file:${join(certDir, 'cert.pem')}`,
      },
    ],
  });
  process.env.VIGIL_TEST_INNER_TOKEN = TOKENS.bob;
  try {
    for (const [name, how] of [
      ['chain-rsa', 'rsa'],
      ['chain-tls', 'tls'],
    ] as const) {
      const port = Number(
        g.listeners
          .find((l) => l.connection === name)!
          .address.split(':')
          .at(-1),
      );
      assert.equal(
        await whoAmI({ host: '127.0.0.1', port, user: 'x', password: TOKENS.etl }),
        'vigil_upstream@localhost',
      );
      const start = await lastSessionStart(f);
      // The inner Vigil saw the outer one log in as bob, with its token, by full authentication.
      assert.equal(start.identity.subject, 'bob');
      assert.equal(start.payload?.auth_method, `caching_sha2_password/${how}`);
      assert.equal(start.payload?.tls, how === 'tls');
    }
  } finally {
    await g.close();
  }
  await assertLedgerVerifies(f.gateway);
});
