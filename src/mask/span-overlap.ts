// Adding spans found by a second reader without overlapping those already found, in O(n log n):
// a check of each new span against every kept one was quadratic, and a hostile line of 30,000
// here-strings took seconds.

export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Pushes onto `kept` each span of `extra` that overlaps neither `kept` nor an earlier one of `extra`. */
export function addDisjoint<T extends Interval>(kept: T[], extra: readonly T[]): void {
  if (extra.length === 0) return;
  // The union of the kept spans, sorted and merged, for a binary search.
  const union: Interval[] = [];
  for (const s of [...kept].sort((a, b) => a.start - b.start)) {
    const last = union[union.length - 1];
    if (last !== undefined && s.start < last.end)
      union[union.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else union.push({ start: s.start, end: s.end });
  }
  let acceptedEnd = -1;
  for (const s of [...extra].sort((a, b) => a.start - b.start)) {
    if (s.start < acceptedEnd) continue;
    // The first union interval ending after s.start.
    let lo = 0;
    let hi = union.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (union[mid]!.end <= s.start) lo = mid + 1;
      else hi = mid;
    }
    const next = union[lo];
    if (next !== undefined && next.start < s.end) continue;
    kept.push(s);
    acceptedEnd = s.end;
  }
}
