// Identity on the PostgreSQL protocol: a Vigil token is the password; expired, tampered, alg none,
// foreign-key and revoked tokens are refused; a disabled user's open connection is cut within 1 s.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { UnsecuredJWT } from 'jose';
import pg from 'pg';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { openSharedStore, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

let postgres: TestPostgres;
let gateway: TestGateway;
let host: string;
let port: number;

before(async () => {
  postgres = await startTestPostgres();
  process.env.VIGIL_TEST_PG_PASSWORD = postgres.password ?? 'unused';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'db',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: postgres.url,
        credential: 'env:VIGIL_TEST_PG_PASSWORD',
        allow: ['*'],
      },
      {
        name: 'other',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: postgres.url,
        credential: 'env:VIGIL_TEST_PG_PASSWORD',
        allow: ['*'],
      },
    ],
  });
  const [h, p] = gateway.listeners.find((l) => l.connection === 'db')!.address.split(':');
  host = h!;
  port = Number(p);
});

after(async () => {
  await gateway?.close();
  await postgres?.close();
});

async function connectWith(password: string, on = port) {
  const client = new pg.Client({ host, port: on, user: 'someone', database: 'postgres', password });
  await client.connect();
  return client;
}

async function refusal(password: string): Promise<string> {
  try {
    const c = await connectWith(password);
    await c.end();
    return 'accepted';
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
}

test('bad tokens are refused at startup with SQLSTATE 28P01 and the Vigil code', async () => {
  const expired = (
    await gateway.vigilTokens.issue(
      { subject: 'e@x', groups: [], roles: [], ttlMs: 1000 },
      Date.now() - 10_000,
    )
  ).token;
  const { token } = await gateway.vigilTokens.issue({
    subject: 'carol@example.com',
    groups: [],
    roles: [],
    ttlMs: 60_000,
  });
  const [h, p, s] = token.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'root' })).toString('base64url')}.${s}`;
  const none = new UnsecuredJWT({})
    .setIssuer('vigil')
    .setAudience('vigil')
    .setSubject('x')
    .setJti('g_1')
    .setExpirationTime('1h')
    .encode();
  assert.match(await refusal(expired), /^28P01: .*expired/);
  assert.match(await refusal(tampered), /^28P01: .*not valid/);
  assert.match(await refusal(none), /^28P01: .*not valid/);
  assert.match(await refusal('not-a-token'), /^28P01/);
  assert.equal(await refusal(token), 'accepted');
});

test('a service-account token works only on its connections', async () => {
  const { token } = await createServiceToken(gateway.store.access, {
    name: 'etl',
    connections: ['db'],
    ttlMs: 60_000,
  });
  const c = await connectWith(token);
  assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
  await c.end();
  const otherPort = Number(gateway.listeners.find((l) => l.connection === 'other')!.address.split(':')[1]);
  await assert.rejects(connectWith(token, otherPort), (err: { code?: string }) => err.code === '28000');
});

test('a disabled user is cut from an open connection within 1 s, and refused afterwards', async () => {
  const client = await connectWith(TOKENS.bob);
  const errors: Error[] = [];
  client.on('error', (err) => errors.push(err));
  assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
  const ended = new Promise<number>((resolve) => client.once('end', () => resolve(performance.now())));

  const other = await openSharedStore(gateway);
  await other.access.disableIdentity('bob', new Date().toISOString(), 'offboarded');
  const disabledAt = performance.now();
  await other.close();

  const cutAt = await ended;
  assert.ok(cutAt - disabledAt < 1000, `cut ${(cutAt - disabledAt).toFixed(0)} ms after the write`);
  assert.match(await refusal(TOKENS.bob), /^28000: .*disabled/);
  const sessions = await gateway.store.ledger.listSessions({ identity: 'bob', connection: 'db' });
  const events = await gateway.store.ledger.readSession(sessions[0]!.id);
  assert.ok(events.some((e) => e.type === 'access.revoked'));
  assert.equal(events.at(-1)?.type, 'session.end');
});
