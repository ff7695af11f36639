// Event-loop stalls as they happen: a 1 ms timer that reports each gap of STALL_MS or more between
// its ticks, with the wall-clock time it began, so stalls in separate processes can be lined up
// with each other and with a load generator's requests (bench/llm-proxy/tail.ts).
// perf_hooks.monitorEventLoopDelay (bench/support/probed-gateway.ts) gives a histogram; this gives
// the moments.

export interface Stall {
  /** Which process stalled. */
  readonly who: string;
  /** Wall-clock milliseconds (epoch) when the stall began. */
  readonly at: number;
  readonly ms: number;
}

const STALL_MS = 5;
const TICK_MS = 1;

/** Calls `onStall` for every stall of this thread's event loop until the returned stop is called. */
export function watchStalls(who: string, onStall: (stall: Stall) => void): () => void {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    // The timer itself waits TICK_MS between ticks; only what exceeds it is a stall.
    if (now - last - TICK_MS >= STALL_MS)
      onStall({ who, at: performance.timeOrigin + last, ms: now - last - TICK_MS });
    last = now;
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
