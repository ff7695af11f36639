// scripts/gateway-process.ts with a probe inside: Vigil reports no event-loop delay or heap figures
// of its own (/healthz has neither), so benchmarks that watch the gateway over time start it through
// this file. On SIGUSR2 it prints one JSON line to stdout: the event-loop delay since the previous
// probe (perf_hooks.monitorEventLoopDelay: how late a 10 ms timer fires) and
// process.memoryUsage(); then it starts a new delay window. Read it with probeGateway().
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
process.on('SIGUSR2', () => {
  // The histogram holds the time between ticks of a RESOLUTION_MS timer; the delay is what exceeds it.
  const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  const memory = process.memoryUsage();
  const mb = (bytes: number) => bytes / (1024 * 1024);
  const probe = {
    probe: {
      loopDelayMs: {
        mean: ms(delay.mean),
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        max: ms(delay.max),
      },
      memoryMb: {
        rss: mb(memory.rss),
        heapUsed: mb(memory.heapUsed),
        heapTotal: mb(memory.heapTotal),
        external: mb(memory.external),
        arrayBuffers: mb(memory.arrayBuffers),
      },
    },
  };
  delay.reset();
  process.stdout.write(`${JSON.stringify(probe)}\n`);
});

await import('../../scripts/gateway-process.js');
