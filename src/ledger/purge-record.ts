// Purge records: a `ledger.purged` event names the payloads a purge drops, before they are
// dropped. Verification accepts a missing payload only where such a record covers it.
import type { JsonObject } from '../core/events.js';
import type { PurgePlan } from '../core/ports.js';

/** What a purge record (`ledger.purged` payload) says; `ranges` as in PurgePlan. */
export interface PurgeRecord extends PurgePlan {
  readonly reason: string | null;
  /** Who purged: the operating-system user of the CLI, as its audit events name it. */
  readonly operator: string;
}

export function purgeRecordPayload(record: PurgeRecord): JsonObject {
  return {
    before: record.before,
    ranges: record.ranges.map(([first, last]) => [first, last]),
    count: record.count,
    reason: record.reason,
    operator: record.operator,
  };
}

/** The purge a record's payload text names, or null when it is not a well-formed purge record. */
export function parsePurgeRecord(text: string): PurgePlan | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { before, ranges, count } = value as Record<string, unknown>;
  if (typeof before !== 'string' || !Array.isArray(ranges)) return null;
  let previous = -1;
  let total = 0;
  for (const range of ranges) {
    if (!Array.isArray(range) || range.length !== 2) return null;
    const [first, last] = range as unknown[];
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) return null;
    if ((first as number) <= previous || (last as number) < (first as number)) return null;
    total += (last as number) - (first as number) + 1;
    previous = last as number;
  }
  if (count !== total) return null;
  return { before, ranges: ranges as [number, number][], count: total };
}

interface PurgeSpan {
  readonly first: number;
  readonly last: number;
  /** The index of the record that names the span. */
  readonly record: number;
  readonly before: string;
}

/**
 * Which events recorded purges name. Asked in increasing index order (the log's), so a sweep over
 * the spans sorted by their start keeps only the few spans open at the current index.
 */
export class PurgeCoverage {
  readonly #spans: PurgeSpan[];
  #next = 0;
  #open: PurgeSpan[] = [];

  constructor(records: readonly (PurgePlan & { readonly index: number })[]) {
    this.#spans = records
      .flatMap((r) => r.ranges.map(([first, last]) => ({ first, last, record: r.index, before: r.before })))
      .sort((a, b) => a.first - b.first);
  }

  /**
   * Whether a record names this event. A record only covers events before it in the log (it is
   * written before the drop) and recorded before its `before` time, whatever its ranges claim.
   */
  covers(index: number, time: string): boolean {
    while (this.#next < this.#spans.length && this.#spans[this.#next]!.first <= index) {
      this.#open.push(this.#spans[this.#next++]!);
    }
    this.#open = this.#open.filter((span) => span.last >= index);
    return this.#open.some((span) => index < span.record && time < span.before);
  }
}
