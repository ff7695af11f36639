// When each part of a re-run answer goes out. `fast`: at once. `recorded`: as the recording says,
// from what it keeps, the time to the first byte of a stream (ttftMs) and the whole exchange
// (durationMs): a whole answer waits durationMs; a stream waits ttftMs for its first event and
// spreads the rest of durationMs evenly over the gaps between the others (the recording has no
// per-chunk times).
import type { LlmResponsePayload } from '../core/llm-payloads.js';

export const TIMINGS = ['recorded', 'fast'] as const;
export type Timing = (typeof TIMINGS)[number];

type Recorded = Pick<LlmResponsePayload, 'ttftMs' | 'durationMs' | 'stream'>;

const nonNegative = (ms: number | null | undefined) =>
  typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;

/** Milliseconds to wait before sending a whole answer. */
export function wholeDelay(r: Recorded, timing: Timing): number {
  return timing === 'fast' ? 0 : nonNegative(r.durationMs);
}

/** Milliseconds to wait before each of `count` stream events. */
export function streamDelays(r: Recorded, count: number, timing: Timing): number[] {
  if (count <= 0) return [];
  if (timing === 'fast') return new Array<number>(count).fill(0);
  const total = nonNegative(r.durationMs);
  // A whole recorded answer served as a stream: its time goes before the first event.
  const first = r.stream ? Math.min(nonNegative(r.ttftMs), total) : total;
  const gap = count > 1 ? (total - first) / (count - 1) : 0;
  return [first, ...new Array<number>(count - 1).fill(gap)];
}
