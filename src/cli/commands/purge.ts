// `vigil purge --before DATE [--reason TEXT]`: retention. Drops the payloads of older events; their
// hashes stay, so the chain still verifies. The purge is recorded first, as a `ledger.purged` event
// naming exactly which events lose their payload, when and why, and by whom: `vigil verify` reports
// those as purged, and any other missing payload as erased unseen.
import type { Command } from 'commander';
import { nowIso } from '../../core/events.js';
import type { PurgeOutcome, PurgePlan, StoreBundle } from '../../core/ports.js';
import { PURGE_RECORD_TYPE } from '../../ledger/event-source.js';
import { notePurge } from '../../ledger/purge-generation.js';
import { purgeRecordPayload } from '../../ledger/purge-record.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import { OperatorSession } from '../operator-session.js';
import type { SetExitCode } from './index.js';
import { isoDate } from './sessions.js';

export interface RecordedPurge extends PurgeOutcome {
  /** Global index of the `ledger.purged` event, or null when there was nothing to purge. */
  readonly record: number | null;
}

/**
 * Records the purge as a short CLI session (like the CLI's audit events) and, once that is
 * durable, drops the payloads it names. A running gateway's next checkpoint signs the record.
 */
export async function purgeRecorded(
  /** The ledger, and the shared state where the purge is noted once dropped (purge-generation.ts). */
  bundle: Pick<StoreBundle, 'ledger' | 'moduleState'>,
  before: string,
  reason: string | null,
): Promise<RecordedPurge> {
  const store = bundle.ledger;
  let record: number | null = null;
  const outcome = await store.purgePayloads(before, async (plan: PurgePlan) => {
    const session = await OperatorSession.open(store);
    const payload = purgeRecordPayload({ ...plan, reason, operator: session.identity.subject });
    record = (await session.record(PURGE_RECORD_TYPE, payload)).index;
    await session.close();
  });
  // Readers that keep what they built from payloads (the console's trees) rebuild after this.
  if (record !== null) await notePurge(bundle.moduleState, record, nowIso());
  return { ...outcome, record };
}

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('purge')
    .description(
      'drop the payloads of events recorded before a date, recording the purge first (hashes stay: the ledger still verifies)',
    )
    .requiredOption('--before <date>', 'date or ISO time')
    .option('--reason <text>', 'why (kept in the purge record)')
    .option('--json', 'print JSON')
    .action(async (opts: { before: string; reason?: string; json?: boolean }) => {
      const before = isoDate(opts.before);
      const store = await openExistingStore(loadCliConfig(program.opts()));
      try {
        const { plan, dropped, record } = await purgeRecorded(store, before, opts.reason ?? null);
        if (opts.json) {
          console.log(JSON.stringify({ purged: dropped, before, record, ranges: plan.ranges }));
        } else if (record === null) {
          console.log(`nothing to purge: no payload recorded before ${before}`);
        } else {
          console.log(
            `purged the payloads of ${dropped} event(s) recorded before ${before} (purge record: event ${record})`,
          );
        }
      } finally {
        await store.close();
      }
    });
}
