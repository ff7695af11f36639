// `vigil scim token` as an admin runs it: the CLI asks the gateway's admin API, prints the token once,
// the store keeps only its hash, the token works on /scim/v2; a non-admin is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashToken } from '../../src/identity/config-tokens.js';
import { runCli } from '../support/cli.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { ScimClient } from './scim-client.js';

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway({ identity: { scim: { enabled: true } }, connections: [] });
});
after(() => gateway?.close());

test('an admin issues a SCIM token with the CLI; only its hash is stored; it works', async () => {
  const run = await runCli([
    'scim',
    'token',
    '--name',
    'okta',
    '--json',
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.alice,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const issued = JSON.parse(run.stdout) as { token: string; name: string };
  assert.equal(issued.name, 'okta');
  assert.match(issued.token, /^vscim_[A-Za-z0-9_-]{40,}$/);
  assert.ok(await gateway.store.access.findScimToken(hashToken(issued.token)));
  await gateway.recorder.drain();
  const files = dataDirFiles(gateway.dataDir).filter((f) => /vigil\.db(-wal)?$/.test(f.path));
  assert.ok(files.length > 0, 'the database file was read');
  for (const { path, bytes } of files) {
    assert.ok(!bytes.toString('latin1').includes(issued.token), `${path} holds no token`);
  }
  const config = await new ScimClient(gateway, issued.token).get('/ServiceProviderConfig');
  assert.equal(config.status, 200);

  const refused = await runCli([
    'scim',
    'token',
    '--name',
    'sneaky',
    '--gateway',
    gateway.url,
    '--token',
    TOKENS.bob,
  ]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /forbidden_role/);
});

test('an admin lists SCIM tokens and revokes one with the CLI; its next use is refused', async () => {
  const api = ['--gateway', gateway.url, '--token', TOKENS.alice];
  const issued = await runCli(['scim', 'token', '--name', 'entra', '--ttl', '30d', '--json', ...api]);
  assert.equal(issued.code, 0, issued.stderr);
  const { token, id, expires_at } = JSON.parse(issued.stdout) as {
    token: string;
    id: string;
    expires_at: string;
  };
  const lifetime = Date.parse(expires_at) - Date.now();
  assert.ok(lifetime > 29.9 * 86_400_000 && lifetime <= 30 * 86_400_000, expires_at);
  const scim = new ScimClient(gateway, token);
  assert.equal((await scim.get('/Users')).status, 200);

  const listed = await runCli(['scim', 'tokens', '--json', ...api]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(token), 'no secret is listed');
  const entry = (JSON.parse(listed.stdout) as { id: string; state: string; expires_at: string }[]).find(
    (t) => t.id === id,
  );
  assert.deepEqual([entry?.state, entry?.expires_at], ['active', expires_at]);
  const table = await runCli(['scim', 'tokens', ...api]);
  assert.match(
    table.stdout,
    new RegExp(`^${id}\\s+entra\\s+\\S+\\s+${expires_at.replace(/\./g, '\\.')}\\s+active$`, 'm'),
  );

  const revoked = await runCli(['scim', 'revoke-token', id, ...api]);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.equal(revoked.stdout.trim(), `revoked ${id}`);
  const refused = await scim.get('/Users');
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('x-vigil-error'), 'auth_revoked');
  const again = await runCli(['scim', 'revoke-token', id, ...api]);
  assert.equal(again.code, 1);
  assert.equal(again.stdout.trim(), `${id} was already revoked`);
  const unknown = await runCli(['scim', 'revoke-token', 'scim_unknown', ...api]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /scim_token_unknown/);
  assert.match(
    (await runCli(['scim', 'tokens', ...api])).stdout,
    new RegExp(`^${id}\\s.*revoked \\S+$`, 'm'),
  );

  const tooLong = await runCli(['scim', 'token', '--name', 'forever', '--ttl', '400d', ...api]);
  assert.notEqual(tooLong.code, 0);
  assert.match(tooLong.stderr, /usage/);
  const byUser = await runCli(['scim', 'revoke-token', id, '--gateway', gateway.url, '--token', TOKENS.bob]);
  assert.match(byUser.stderr, /forbidden_role/);
});
