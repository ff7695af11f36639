// Open-loop load at a fixed rate (requests are sent on schedule whether or not earlier ones have
// answered, so a slow server cannot slow the load down and hide its latency), timed with hrtime.
import { Pool } from 'undici';

export interface LoadRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LoadResult {
  readonly latenciesMs: number[];
  readonly ttftMs: number[];
  readonly errors: number;
  readonly seconds: number;
}

/** `rate` requests per second for `seconds`; for streams, also the time to the first body chunk. */
export async function fixedRate(
  origin: string,
  request: LoadRequest,
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: 256, pipelining: 1 });
  const latenciesMs: number[] = [];
  const ttftMs: number[] = [];
  let errors = 0;
  const elapsed = await onSchedule(rate, seconds, async () => {
    const t0 = performance.now();
    try {
      const res = await pool.request({
        method: 'POST',
        path: request.path,
        headers: request.headers,
        body: request.body,
      });
      let first = true;
      for await (const _chunk of res.body) {
        if (first) ttftMs.push(performance.now() - t0);
        first = false;
      }
      if (res.statusCode !== 200) errors++;
      else latenciesMs.push(performance.now() - t0);
    } catch {
      errors++;
    }
  });
  await pool.close();
  return { latenciesMs, ttftMs, errors, seconds: elapsed };
}

/**
 * Starts `task(i)` `rate` times per second for `seconds`, each on schedule whether or not earlier
 * ones have finished (open loop); resolves with the seconds elapsed once all have settled. Tasks
 * catch their own errors.
 */
export async function onSchedule(
  rate: number,
  seconds: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(task(i));
  }
  await Promise.all(inflight);
  return (performance.now() - start) / 1000;
}

/** One client in a loop: each request is sent when the previous answer has been read, for `seconds`. */
export async function closedLoop(origin: string, request: LoadRequest, seconds: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: 1, pipelining: 1 });
  const latenciesMs: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  try {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          path: request.path,
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await res.body.arrayBuffer();
        if (res.statusCode >= 400) errors++;
        else latenciesMs.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  } finally {
    await pool.close();
  }
  return { latenciesMs, ttftMs: [], errors, seconds: (performance.now() - start) / 1000 };
}
