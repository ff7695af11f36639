// A real ledger in a temp directory (Recorder + SqliteStore + Checkpointer + anchor) for tests.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventDraft, EventType } from '../../src/core/events.js';
import type { SignedCheckpoint } from '../../src/core/ports.js';
import { anchorPath } from '../../src/ledger/anchor.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { sqliteEventSource } from '../../src/ledger/event-source.js';
import { type LedgerKeys, loadLedgerKeys } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { type VerifyOptions, type VerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export interface LedgerSpec {
  /** Session of each event, in log order (session numbers). */
  readonly order: readonly number[];
  /** Log sizes after which a checkpoint is made (the end always gets one). */
  readonly checkpointsAfter: readonly number[];
  /** Sessions that get a session.end as their last event. */
  readonly ended?: ReadonlySet<number>;
  /** Payload text per event (cycled). */
  readonly texts?: readonly string[];
  /** Log size after which the database is copied (for the rollback case). */
  readonly snapshotAfter?: number;
}

export interface Ledger {
  readonly dir: string;
  readonly dbPath: string;
  readonly anchor: string;
  store: SqliteStore;
  readonly keys: LedgerKeys;
  readonly snapshot: string | null;
  readonly checkpoints: SignedCheckpoint[];
  verify(options?: Partial<VerifyOptions>): Promise<VerifyReport>;
  reopen(): void;
}

export const sessionName = (n: number) => `sess-${n}`;

export function draftFor(
  session: number,
  n: number,
  type: EventType = 'llm.request',
  text = 'hi',
): EventDraft {
  return {
    type,
    sessionId: sessionName(session),
    connection: 'openai',
    identity: {
      subject: `user${session}@example.com`,
      kind: 'user',
      groups: ['ai-eng'],
      tokenId: `tok${session}`,
    },
    time: new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString(),
    payload: { n, text, nested: { ok: true, list: [1, 'two', null] } },
  };
}

export async function buildLedger(spec: LedgerSpec): Promise<Ledger> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ledger-'));
  const dbPath = join(dir, 'vigil.db');
  const anchor = anchorPath(dir);
  const store = new SqliteStore(dbPath, { synchronous: 'normal' });
  const keys = loadLedgerKeys(dir);
  const recorder = new Recorder(store);
  await recorder.init();
  const checkpointer = new Checkpointer({
    store,
    recorder,
    signer: keys.signer,
    anchorFile: anchor,
    intervalMs: 3_600_000,
  });
  await checkpointer.start();
  const lastOf = new Map<number, number>();
  for (const [i, s] of spec.order.entries()) lastOf.set(s, i);
  const cuts = new Set(spec.checkpointsAfter);
  let snapshot: string | null = null;
  let pending: Promise<unknown>[] = [];
  for (let i = 0; i < spec.order.length; i++) {
    const s = spec.order[i]!;
    const type = spec.ended?.has(s) && lastOf.get(s) === i ? 'session.end' : 'llm.request';
    const texts = spec.texts ?? ['hi'];
    pending.push(recorder.append(draftFor(s, i, type, texts[i % texts.length]!), 'llm'));
    if (cuts.has(i + 1) || spec.snapshotAfter === i + 1) {
      await Promise.all(pending);
      pending = [];
      if (cuts.has(i + 1)) await checkpointer.checkpointNow();
      if (spec.snapshotAfter === i + 1) {
        snapshot = join(dir, 'snapshot.db');
        store.database.exec(`VACUUM INTO '${snapshot}'`);
      }
    }
  }
  await Promise.all(pending);
  await checkpointer.stop();
  const ledger: Ledger = {
    dir,
    dbPath,
    anchor,
    store,
    keys,
    snapshot,
    checkpoints: await store.listCheckpoints(),
    async verify(options = {}) {
      return verifyLedger(sqliteEventSource(this.store.database), await this.store.listCheckpoints(), {
        keyring: keys.keyring,
        anchorText: readFileSync(anchor, 'utf8'),
        ...options,
      });
    },
    reopen() {
      this.store = new SqliteStore(dbPath, { synchronous: 'normal' });
    },
  };
  return ledger;
}
