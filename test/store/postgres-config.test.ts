// The store section of the configuration: SQLite stays the default; PostgreSQL takes its URL only as
// a secret reference, which the store resolves without ever quoting the URL in a message.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { resolveGatewaySecrets } from '../../src/server/gateway-secrets.js';
import { openStore } from '../../src/store/index.js';
import { describeDatabase, resolveDatabaseUrl } from '../../src/store/postgres/database-url.js';

const SECRET_URL = 'postgres://vigil:s3cret-Pa55@db.internal:6432/audit';

test('store: sqlite is the default; postgres has pool.max 10 and schema vigil unless told', () => {
  assert.deepEqual(configSchema.parse({}).store, { type: 'sqlite' });
  assert.deepEqual(configSchema.parse({ store: { type: 'postgres', url: 'env:VIGIL_DATABASE_URL' } }).store, {
    type: 'postgres',
    url: 'env:VIGIL_DATABASE_URL',
    pool: { max: 10 },
    schema: 'vigil',
  });
  assert.deepEqual(
    configSchema.parse({
      store: { type: 'postgres', url: 'file:db-url', pool: { max: 3 }, schema: 'audit_2' },
    }).store,
    { type: 'postgres', url: 'file:db-url', pool: { max: 3 }, schema: 'audit_2' },
  );
});

test('store: an inline URL, a bad schema name, a zero pool or a postgres key on sqlite are refused', () => {
  const refused = (store: unknown) => assert.equal(configSchema.safeParse({ store }).success, false);
  refused({ type: 'postgres', url: SECRET_URL });
  refused({ type: 'postgres' });
  refused({ type: 'postgres', url: 'env:X', schema: 'Vigil; DROP' });
  refused({ type: 'postgres', url: 'env:X', schema: '"quoted"' });
  refused({ type: 'postgres', url: 'env:X', pool: { max: 0 } });
  refused({ type: 'sqlite', url: 'env:X' });
  refused({ type: 'mongodb' });
});

test('the URL is read from env: or file:, and no message names it or its password', () => {
  process.env.VIGIL_TEST_DB_URL_CONFIG = `  ${SECRET_URL}\n`;
  assert.equal(resolveDatabaseUrl('env:VIGIL_TEST_DB_URL_CONFIG', '/'), SECRET_URL);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dburl-'));
  writeFileSync(join(dir, 'db-url'), `${SECRET_URL}\n`);
  assert.equal(resolveDatabaseUrl('file:db-url', dir), SECRET_URL);
  delete process.env.VIGIL_TEST_DB_URL_CONFIG;
  assert.throws(() => resolveDatabaseUrl('env:VIGIL_TEST_DB_URL_CONFIG', '/'), { code: 'secret_unresolved' });
  assert.throws(() => resolveDatabaseUrl('file:missing', dir), { code: 'secret_unresolved' });
  assert.equal(describeDatabase(SECRET_URL), 'db.internal:6432/audit');
  for (const bad of ['mysql://u:s3cret-Pa55@h/db', 's3cret-Pa55', 'postgres://u:s3cret-Pa55@[::1/db']) {
    process.env.VIGIL_TEST_DB_URL_CONFIG = bad;
    assert.throws(
      () => resolveDatabaseUrl('env:VIGIL_TEST_DB_URL_CONFIG', '/'),
      (err: Error & { code?: string }) =>
        err.code === 'config_invalid' && !err.message.includes('s3cret') && err.cause === undefined,
    );
  }
  delete process.env.VIGIL_TEST_DB_URL_CONFIG;
});

test('a database that cannot be reached fails the open with store_unavailable, without the password', async () => {
  // Port 1 on loopback: nothing listens, so the connection is refused at once.
  process.env.VIGIL_TEST_DB_URL_DOWN = 'postgres://vigil:s3cret-Pa55@127.0.0.1:1/audit';
  const config = configSchema.parse({ store: { type: 'postgres', url: 'env:VIGIL_TEST_DB_URL_DOWN' } });
  try {
    await assert.rejects(openStore(config, '/nonexistent'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'store_unavailable');
      assert.match(err.message, /127\.0\.0\.1:1\/audit/);
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
  } finally {
    delete process.env.VIGIL_TEST_DB_URL_DOWN;
  }
});

test("the store's URL and its password are known secrets of the gateway's masker", () => {
  process.env.VIGIL_TEST_DB_URL_MASKED = 'postgres://vigil:s3cr%2Ft-pass-0123@db.internal:5432/vigil';
  const config = configSchema.parse({ store: { type: 'postgres', url: 'env:VIGIL_TEST_DB_URL_MASKED' } });
  const known = resolveGatewaySecrets(config, process.cwd()).knownSecrets;
  assert.ok(known.some((k) => k.label === 'store-url' && k.value === process.env.VIGIL_TEST_DB_URL_MASKED));
  assert.ok(known.some((k) => k.label === 'store-password' && k.value === 's3cr/t-pass-0123'));
  const sqlite = resolveGatewaySecrets(configSchema.parse({}), process.cwd()).knownSecrets;
  assert.ok(!sqlite.some((k) => k.label.startsWith('store-')));
});
