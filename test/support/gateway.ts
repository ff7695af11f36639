// Starts a real gateway for a test: a temporary data directory, identities with known tokens, and
// the connections the test needs. Listens on an ephemeral port.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilConfig } from '../../src/core/config.js';
import type { StoredEvent } from '../../src/core/events.js';
import type { StoreBundle } from '../../src/core/ports.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { configSchema } from '../../src/protocols/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { openStore } from '../../src/store/index.js';
import { type ScratchPostgresStore, scratchPostgresStore } from './postgres-store.js';

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
  readonly config: VigilConfig;
  /** The database of a gateway started with `store: 'postgres'` (dropped when the gateway closes). */
  readonly postgresStore: ScratchPostgresStore | null;
}

export interface TestGatewayOptions {
  /**
   * Where the gateway keeps its ledger: `sqlite` (the default) under the data directory, or
   * `postgres`, a fresh database on the test PostgreSQL (test/support/postgres-store.ts).
   */
  readonly store?: 'sqlite' | 'postgres';
}

/** `settings` is the YAML-shaped configuration minus identities (added) and data (a temp dir). */
export async function startTestGateway(
  settings: Record<string, unknown>,
  dataDir?: string,
  options: TestGatewayOptions = {},
): Promise<TestGateway> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const postgresStore = options.store === 'postgres' ? await scratchPostgresStore('database') : null;
  const config = configSchema.parse({
    log_level: 'silent',
    identities: TEST_IDENTITIES,
    ...settings,
    ...(postgresStore ? { store: postgresStore.section } : {}),
    data: dir,
  });
  let gateway: Gateway;
  try {
    gateway = await startGateway({ config, path: null, dataDir: dir }, { listen: '127.0.0.1:0' });
  } catch (err) {
    await postgresStore?.drop();
    throw err;
  }
  const close = async () => {
    try {
      await gateway.close();
    } finally {
      await postgresStore?.drop();
    }
  };
  return { ...gateway, close, dataDir: dir, config, postgresStore };
}

/** Another handle on a gateway's store, as the CLI or another replica has: the caller closes it. */
export function openSharedStore(gateway: TestGateway): Promise<StoreBundle> {
  return openStore({ ...gateway.config, append_in_worker: false }, gateway.dataDir);
}

/** Checkpoints what is recorded and verifies the whole ledger offline; fails naming the first fault. */
export async function assertLedgerVerifies(gateway: Gateway): Promise<void> {
  await gateway.recorder.drain();
  await gateway.checkpointer.checkpointNow();
  const report = await verifyLedger(gateway.store.eventSource, await gateway.store.ledger.listCheckpoints(), {
    keyring: gateway.ledgerKeys.keyring,
  });
  assert.equal(report.ok, true, JSON.stringify(report.fault ?? null));
}

/**
 * Every event of the sessions on `connection` (on any connection when it is left out), once what
 * was appended is committed, in ledger order.
 */
export async function sessionEvents(gateway: Gateway, connection?: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({
    ...(connection ? { connection } : {}),
    limit: 1000,
  });
  const all = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  return all.sort((a, b) => a.index - b.index);
}

/** The events of `type` recorded on `connection` once what was appended is committed, in index order. */
export async function connectionEvents(
  gateway: Gateway,
  connection: string,
  type: string,
): Promise<StoredEvent[]> {
  return (await sessionEvents(gateway, connection)).filter((e) => e.type === type);
}

/** The events of `type` recorded on any connection once what was appended is committed, in index order. */
export async function recordedEvents(gateway: Gateway, type: string): Promise<StoredEvent[]> {
  return (await sessionEvents(gateway)).filter((e) => e.type === type);
}
