// A real ledger in a temp directory (Recorder + the SQLite store bundle + Checkpointer + anchor) for tests.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventDraft, EventType } from '../../src/core/events.js';
import type { SignedCheckpoint, StoreBundle } from '../../src/core/ports.js';
import { anchorPath } from '../../src/ledger/anchor.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { type LedgerKeys, loadLedgerKeys } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { type VerifyOptions, type VerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { openStore } from '../../src/store/index.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';

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
  /**
   * Sessions begin with a session.start naming protocol `llm`, and a session.end gives this reason,
   * as the gateway writes them (otherwise the first event is an llm.request and an end gives none).
   */
  readonly endReason?: string;
}

export interface Ledger {
  readonly dir: string;
  readonly dbPath: string;
  readonly anchor: string;
  store: StoreBundle;
  readonly keys: LedgerKeys;
  readonly snapshot: string | null;
  readonly checkpoints: SignedCheckpoint[];
  verify(options?: Partial<VerifyOptions>): Promise<VerifyReport>;
  /** Opens the store again (after a test swapped the database file underneath). */
  reopen(): Promise<void>;
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

/** A session's first event as a session.start, a session.end with its reason, as the gateway writes them. */
function asGateway(draft: EventDraft, first: boolean, endReason: string): EventDraft {
  if (first)
    return { ...draft, type: 'session.start', payload: { protocol: 'llm', n: draft.payload.n ?? null } };
  if (draft.type === 'session.end') return { ...draft, payload: { ...draft.payload, reason: endReason } };
  return draft;
}

/** Opens the store a ledger is built in, under its directory. */
export type LedgerStoreOpener = (dir: string) => Promise<StoreBundle>;

// SQLite by default: the tamper tests edit its rows and copy its file.
export const SQLITE_LEDGER_STORE = {
  store: { type: 'sqlite' },
  durability: 'normal',
  append_in_worker: true,
} as const;
const openLedgerStore: LedgerStoreOpener = (dir) => openStore(SQLITE_LEDGER_STORE, dir);

export async function buildLedger(
  spec: LedgerSpec,
  openLedger: LedgerStoreOpener = openLedgerStore,
): Promise<Ledger> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ledger-'));
  const dbPath = join(dir, 'vigil.db');
  const anchor = anchorPath(dir);
  const store = await openLedger(dir);
  const keys = loadLedgerKeys(dir);
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const checkpointer = new Checkpointer({
    store: store.ledger,
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
    const draft = draftFor(s, i, type, texts[i % texts.length]!);
    const first = spec.order.indexOf(s) === i;
    pending.push(
      recorder.append(spec.endReason === undefined ? draft : asGateway(draft, first, spec.endReason), 'llm'),
    );
    if (cuts.has(i + 1) || spec.snapshotAfter === i + 1) {
      await Promise.all(pending);
      pending = [];
      if (cuts.has(i + 1)) await checkpointer.checkpointNow();
      if (spec.snapshotAfter === i + 1) {
        snapshot = join(dir, 'snapshot.db');
        sqliteDatabase(store).exec(`VACUUM INTO '${snapshot}'`);
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
    checkpoints: await store.ledger.listCheckpoints(),
    async verify(options = {}) {
      return verifyLedger(this.store.eventSource, await this.store.ledger.listCheckpoints(), {
        keyring: keys.keyring,
        anchorText: readFileSync(anchor, 'utf8'),
        ...options,
      });
    },
    async reopen() {
      this.store = await openLedger(dir);
    },
  };
  return ledger;
}

/** Builds a ledger, runs `body` on it, and always closes and removes it. */
export async function withLedger(
  spec: LedgerSpec,
  body: (l: Ledger) => Promise<void>,
  openLedger?: LedgerStoreOpener,
): Promise<void> {
  const ledger = await buildLedger(spec, openLedger);
  try {
    await body(ledger);
  } finally {
    await ledger.store.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
}

/**
 * A verification hook (ParallelOptions.onBatchChecked) that holds the answer for the batch or range
 * starting at `first` until the one starting at `later` has been answered, so the order in which the
 * verifier hears them is the test's, not the machine's. At most 10 s: a verifier that never asks
 * for `later` then fails the test's order check instead of hanging it.
 */
export function laterAnsweredFirst(first: number, later: number) {
  const answered: number[] = [];
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    release = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  const hook = async (start: number): Promise<void> => {
    if (start === first) await released;
    answered.push(start);
    // A turn later: the later answer reaches the verifier before the held one.
    if (start === later) setImmediate(release);
  };
  return { hook, answered };
}
