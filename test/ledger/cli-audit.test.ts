// Reading a recording with the CLI while the gateway runs: the CLI records audit.viewed in the same
// ledger, the gateway goes on appending after it (resyncing its position), and everything verifies.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { anchorPath, readAnchorText } from '../../src/ledger/anchor.js';
import { loadKeyring } from '../../src/ledger/keyring.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { openSharedStore, startTestGateway, TOKENS } from '../support/gateway.js';

const run = promisify(execFile);

test('vigil replay beside a running gateway records audit.viewed and the ledger stays intact', {
  timeout: 60_000,
}, async () => {
  const gateway = await startTestGateway({ connections: [] });
  const call = () =>
    fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
  await call();
  // admin.action is recorded right after the answer is sent.
  let [session] = await gateway.store.ledger.listSessions({ identity: 'alice' });
  for (let i = 0; !session && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    [session] = await gateway.store.ledger.listSessions({ identity: 'alice' });
  }
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    'src/cli/run.ts',
    '--data',
    gateway.dataDir,
    'replay',
    session!.id,
  ]);
  assert.match(stdout, /admin\.action/);
  for (let i = 0; i < 5; i++)
    assert.equal((await call()).status, 200, 'the gateway keeps recording after the CLI wrote');
  await gateway.close();

  const store = await openSharedStore(gateway);
  try {
    const audits = (await store.ledger.listSessions({ connection: 'cli' })).map((s) => s.identity.subject);
    assert.equal(audits.length, 1);
    assert.match(audits[0]!, /^local:/);
    const report = await verifyLedger(store.eventSource, await store.ledger.listCheckpoints(), {
      keyring: loadKeyring(gateway.dataDir),
      anchorText: readAnchorText(anchorPath(gateway.dataDir)),
    });
    assert.equal(report.fault, null, JSON.stringify(report.fault));
    assert.equal(report.ok, true);
  } finally {
    await store.close();
  }
});
