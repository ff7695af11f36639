// `--commits`: the gateway's own count of durable commits (its metrics, scraped with a token the
// bench sets), so a run can say how many commits and events each transaction cost: group commit's
// batching, read without touching the gateway's code. And the CPU of the gateway's main thread
// alone, the one that limits it at 8 clients (the append worker has a thread of its own).
import { readFileSync } from 'node:fs';

/** The environment variable the gateway reads its scrape token from (a secret reference). */
const TOKEN_ENV = 'VIGIL_BENCH_SCRAPE_TOKEN';
const TOKEN = 'bench-scrape-token-0123456789abcdef';

/** The gateway settings that turn the metrics on, readable with the bench's token. */
export function metricsSettings(): Record<string, unknown> {
  process.env[TOKEN_ENV] = TOKEN;
  return { metrics: { enabled: true, scrape_token: `env:${TOKEN_ENV}` } };
}

export interface CommitCount {
  readonly commits: number;
  readonly events: number;
}

/** Commits and events so far, from GET /metrics on the gateway's HTTP listener. */
export async function commitCount(gatewayUrl: string): Promise<CommitCount> {
  const res = await fetch(new URL('/metrics', gatewayUrl), { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    commits: value('vigil_ledger_commit_batch_events_count'),
    events: value('vigil_ledger_commit_batch_events_sum'),
  };
}

/** CPU milliseconds used so far by the main thread of `pid` (its thread id is its pid), or NaN. */
export function mainThreadCpuMillis(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
