// Percentiles and formatting for benchmark reports.

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const i = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[i]!;
}

export interface Summary {
  readonly n: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
}

export function summarize(latenciesMs: number[], errors: number, seconds: number): Summary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    n: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    rps: sorted.length / seconds,
  };
}

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
export const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
