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
  const total = Math.round(rate * seconds);
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
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
      })(),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  return { latenciesMs, ttftMs, errors, seconds: elapsed };
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
