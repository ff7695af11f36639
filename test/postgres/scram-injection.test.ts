// Credential injection against a cluster that enforces SCRAM-SHA-256: the client knows only its
// Vigil token; the upstream password crosses neither the client's connection nor Vigil's storage.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { type DemoPostgres, startDemoPostgres } from '../../src/demo/demo-postgres.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { runClient } from './pg-gateway.js';

let upstream: DemoPostgres;
let gateway: TestGateway;
let plain: { host: string; port: number };
let tls: { host: string; port: number };

function split(address: string) {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

before(async () => {
  upstream = await startDemoPostgres(tmpdir());
  process.env.VIGIL_TEST_SCRAM_PASSWORD = upstream.password;
  const certDir = mkdtempSync(join(tmpdir(), 'vigil-cert-'));
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
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const common = {
    type: 'postgres',
    upstream: upstream.url,
    credential: 'env:VIGIL_TEST_SCRAM_PASSWORD',
    allow: ['*'],
  };
  gateway = await startTestGateway({
    connections: [
      { name: 'pg-plain', listen: '127.0.0.1:0', ...common },
      {
        name: 'pg-tls',
        listen: '127.0.0.1:0',
        ...common,
        allow_cleartext_on_loopback: false,
        tls: { cert: `file:${join(certDir, 'cert.pem')}`, key: `file:${join(certDir, 'key.pem')}` },
      },
    ],
  });
  plain = split(gateway.listeners.find((l) => l.connection === 'pg-plain')!.address);
  tls = split(gateway.listeners.find((l) => l.connection === 'pg-tls')!.address);
});
after(async () => {
  await gateway.close();
  await upstream.close();
});

test('the upstream really enforces SCRAM: a wrong password and no password are refused', async () => {
  const u = new URL(upstream.url);
  const direct = { host: u.hostname, port: Number(u.port), user: 'postgres', database: 'postgres' };
  const wrong = new pg.Client({ ...direct, password: 'wrong' });
  await assert.rejects(wrong.connect(), /password authentication failed/);
  const right = new pg.Client({ ...direct, password: upstream.password });
  await right.connect();
  await right.end();
});

/** A tap between the client and Vigil that keeps every byte, both ways. */
async function tap(target: {
  host: string;
  port: number;
}): Promise<{ server: Server; port: number; bytes: Buffer[] }> {
  const bytes: Buffer[] = [];
  const server = createServer((client) => {
    const up = createConnection(target);
    client.on('data', (c: Buffer) => {
      bytes.push(c);
      up.write(c);
    });
    up.on('data', (c: Buffer) => {
      bytes.push(c);
      client.write(c);
    });
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
    client.on('error', () => up.destroy());
    up.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, bytes };
}

test('the client authenticates with its token; the upstream password appears in no client traffic and no stored file', async () => {
  const t = await tap(plain);
  const client = new pg.Client({
    host: '127.0.0.1',
    port: t.port,
    user: 'alice',
    database: 'x',
    password: TOKENS.alice,
  });
  await client.connect();
  await client.query('create table secrets_probe (v text)');
  await client.query('insert into secrets_probe values ($1)', ['hello']);
  const { rows } = await client.query('select current_user as u, v from secrets_probe');
  assert.deepEqual(rows, [{ u: 'postgres', v: 'hello' }]);
  // Even a query that names the password gets it masked in the ledger.
  await client.query('select $1::text as p', [upstream.password]);
  await client.end();
  t.server.close();
  const traffic = Buffer.concat(t.bytes);
  assert.ok(traffic.includes(TOKENS.alice), 'the tap saw the token (it works)');
  // The password itself travels back in the explicit probe's result row: everything before it is clean.
  const beforeProbe = traffic.subarray(0, traffic.indexOf(Buffer.from('select $1::text as p')));
  assert.equal(beforeProbe.includes(upstream.password), false);
  assert.equal(beforeProbe.includes(Buffer.from(upstream.password, 'utf8').toString('base64')), false);
  await gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(gateway.dataDir)) {
    assert.equal(bytes.includes(upstream.password), false, `${path} holds the password`);
  }
  const sessions = await gateway.store.ledger.listSessions({ connection: 'pg-plain' });
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  assert.equal(JSON.stringify(events).includes(upstream.password), false);
  assert.ok(events.some((e) => e.type === 'db.query' && e.payload?.statement === 'select $1::text as p'));
});

test('TLS: psql with sslmode=require works; without TLS the token is refused before it is sent', async () => {
  const fixture = tls;
  const ok = await runClient(
    'psql',
    ['-X', '-A', '-t', '-c', 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'],
    fixture,
    TOKENS.alice,
    undefined,
    { PGSSLMODE: 'require' },
  );
  assert.equal(ok.stderr, '');
  assert.equal(ok.stdout.trim(), 'f', 'upstream leg is plain (upstream_tls: disable), client leg is TLS');
  const refused = await runClient('psql', ['-X', '-c', 'select 1'], fixture, TOKENS.alice);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /requires TLS/);
  const secure = new pg.Client({
    host: tls.host,
    port: tls.port,
    user: 'alice',
    password: TOKENS.alice,
    ssl: { rejectUnauthorized: false },
  });
  await secure.connect();
  assert.equal((await secure.query('select 1 as one')).rows[0].one, 1);
  await secure.end();
});
