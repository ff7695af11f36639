// Starts a real gateway for a test: a temporary data directory, identities with known tokens, and
// the connections the test needs. Listens on an ephemeral port.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/core/config.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { sqliteEventSource } from '../../src/ledger/event-source.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';

export const TOKENS = {
  alice: 'tok-alice-0123456789',
  bob: 'tok-bob-0123456789',
  audrey: 'tok-audrey-0123456789',
  etl: 'tok-etl-0123456789',
};

export const TEST_IDENTITIES = [
  { name: 'alice', groups: ['ai-eng'], roles: ['admin'], token_sha256: hashToken(TOKENS.alice) },
  { name: 'bob', groups: ['contractors'], roles: ['user'], token_sha256: hashToken(TOKENS.bob) },
  { name: 'audrey', groups: ['security'], roles: ['auditor'], token_sha256: hashToken(TOKENS.audrey) },
  { name: 'etl', kind: 'service', groups: [], roles: ['user'], token_sha256: hashToken(TOKENS.etl) },
];

export interface TestGateway extends Gateway {
  readonly dataDir: string;
}

/** `settings` is the YAML-shaped configuration minus identities (added) and data (a temp dir). */
export async function startTestGateway(
  settings: Record<string, unknown>,
  dataDir?: string,
): Promise<TestGateway> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const config = configSchema.parse({
    log_level: 'silent',
    identities: TEST_IDENTITIES,
    ...settings,
    data: dir,
  });
  const gateway = await startGateway({ config, path: null, dataDir: dir }, { listen: '127.0.0.1:0' });
  return { ...gateway, dataDir: dir };
}

/** Checkpoints what is recorded and verifies the whole ledger offline; fails naming the first fault. */
export async function assertLedgerVerifies(gateway: Gateway): Promise<void> {
  await gateway.recorder.drain();
  await gateway.checkpointer.checkpointNow();
  const report = await verifyLedger(
    sqliteEventSource(gateway.store.database),
    await gateway.store.listCheckpoints(),
    {
      keyring: gateway.ledgerKeys.keyring,
    },
  );
  assert.equal(report.ok, true, JSON.stringify(report.fault ?? null));
}
