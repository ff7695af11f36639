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
