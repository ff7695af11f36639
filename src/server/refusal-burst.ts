// The log of connections a listener turns away: one line when a burst starts and one with its
// counts once it is over, never one per client, so a flood cannot flood the log as well.
import type { ModuleLogger } from '../pipeline/module-context.js';

/** A burst is over once no refusal has come for this long. */
const BURST_QUIET_MS = 10_000;

export interface RefusalBurst {
  /** One client turned away, by which bound (`cap`); `detail` is logged only if it starts a burst. */
  refused(cap: string, detail?: Readonly<Record<string, unknown>>): void;
  close(): void;
}

export function refusalBurst(
  logger: Pick<ModuleLogger, 'warn'>,
  /** What every line of this listener carries (its name, the error code, its limits). */
  fields: Readonly<Record<string, unknown>>,
  words: { readonly started: string; readonly over: string },
): RefusalBurst {
  let refused = 0;
  let byCap: Record<string, number> = {};
  let quiet: NodeJS.Timeout | null = null;
  const over = () => {
    quiet = null;
    logger.warn({ ...fields, refused, by_cap: byCap }, words.over);
    refused = 0;
    byCap = {};
  };
  return {
    refused(cap, detail) {
      if (refused++ === 0) logger.warn({ ...fields, cap, ...detail }, words.started);
      byCap[cap] = (byCap[cap] ?? 0) + 1;
      if (quiet) quiet.refresh();
      else quiet = setTimeout(over, BURST_QUIET_MS).unref();
    },
    close() {
      if (quiet) clearTimeout(quiet);
    },
  };
}
