// Scrapes a gateway's /metrics over HTTP as Prometheus would, and reads values out of the parsed
// exposition by name and labels.
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export interface Scrape {
  /** The exposition as served. */
  readonly text: string;
  readonly families: ReturnType<typeof parsePrometheusTextFormat>;
}

export async function scrape(url: string, token: string): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return { text, families: parsePrometheusTextFormat(text) };
}

function family(s: Scrape, name: string) {
  return s.families.find((f) => f.name === name);
}

function matches(labels: Record<string, string> | undefined, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

/** Sum of the samples of a counter or gauge whose labels include `labels` (0 when none). */
export function sampleValue(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const f = family(s, name);
  if (!f) return 0;
  return f.metrics.filter((m) => matches(m.labels, labels)).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

/**
 * Observation count of a histogram (0 when it has none yet). The parser folds the series of a
 * labelled histogram into one (its buckets are the last series'), so this reads the +Inf bucket and
 * first checks, on the text, that the histogram has exactly one series.
 */
export function countOf(s: Scrape, name: string): number {
  const f = family(s, name);
  if (!f || f.metrics.length === 0) return 0;
  assert.equal(f.type, 'HISTOGRAM');
  const series = s.text.split('\n').filter((line) => line.startsWith(`${name}_count`));
  assert.equal(series.length, 1, `${name} has one series`);
  return Number(f.metrics[0]!.buckets?.['+Inf'] ?? 0);
}

/** Every label value in the exposition (what a scrape could leak through labels). */
export function labelValues(s: Scrape): string[] {
  return s.families.flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})));
}

/** Polls until `check` holds for a scrape (metrics read at scrape time can lag an async step). */
export async function scrapeUntil(
  url: string,
  token: string,
  check: (s: Scrape) => boolean,
  what: string,
): Promise<Scrape> {
  let last: Scrape | null = null;
  for (let i = 0; i < 300; i++) {
    last = await scrape(url, token);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: not seen in 15 s of scrapes; last:\n${last?.text ?? ''}`);
}
