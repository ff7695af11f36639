// Masking throughput on one core: the full catalogue (pattern rules, token runs for unlabelled key
// material, structure-aware payload walking) over a mixed corpus, the same scanner with every rule
// twice, 1,000 database rows, secretlint's recommended preset on the same corpus in the same run,
// and the time to first token that live masking adds to a paced stream. The masker is compiled
// first (bench/support/compiled.ts), as `npm install` builds it.
// Run: node --import tsx bench/mask/run.ts [--mb 4]
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { JsonObject } from '../../src/core/events.js';
import type * as MaskModule from '../../src/mask/index.js';
import type * as ScannerModule from '../../src/mask/scanner.js';
import { importCompiled } from '../support/compiled.js';
import { writeResultsSection } from '../support/results-file.js';
import { databaseRows, mixedCorpus } from './corpus.js';
import { addedTimeToFirstText } from './ttft.js';

// The masker as the gateway runs it (compiled by tsc), measured against secretlint's compiled code.
const { BUILTIN_RULES, createMasker } = await importCompiled<typeof MaskModule>('mask/index.js');
const { Scanner } = await importCompiled<typeof ScannerModule>('mask/scanner.js');

const mbArg = process.argv.indexOf('--mb');
const MB = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 4;
/**
 * Calls before timing: the masker's first calls pay for optimising its code (V8's compiler threads
 * count in this process's CPU time) and for growing the heap. Per-call series of a 4 MiB scan, one
 * process each: 149 146 52 64 51 54 45 37 37 39 … ms, settling after five to eight calls; with three
 * warm-ups the median of seven landed in that tail in some processes and not others (95 against
 * 132 MB/s, same build, same hour). secretlint settles after about three; both get the same warm-up.
 */
const WARMUP = 8;
/**
 * Timed rounds. Each round times every subject once, back to back, so a ratio compares runs taken
 * moments apart: this machine's speed drifts by a third from one second to the next, and timing one
 * subject's seven runs and then the other's let a drift between the two blocks move the ratio by
 * as much (2.28× and 2.62× for the same build, one run after the other).
 */
const ROUNDS = 15;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * CPU milliseconds (user + system of this process) of one call, taken after an untimed call of the
 * same subject: the untimed call absorbs the switch from the subject before (its garbage collected
 * here, caches filled with the other's code and data), which otherwise lands on whichever subject
 * comes next. Collecting garbage explicitly before each call instead slowed every subject by half
 * again (a fresh heap grows its young generation anew), so it is not done.
 */
async function cpuMs(fn: () => unknown): Promise<number> {
  await fn();
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

const corpus = mixedCorpus(MB * 1024 * 1024);
const mb = corpus.length / (1024 * 1024);
const masker = createMasker({ fingerprintKey: 'bench', enabledRules: [] });
masker.addKnownSecret('injected-upstream-credential-1234', 'openai');

// The same scanner with every rule once and twice (copies under other ids, same anchors).
const rules = BUILTIN_RULES.filter((r) => !r.defaultOff);
const doubled = [...rules, ...rules.map((r) => ({ ...r, id: `${r.id}-copy` }))];
const one = new Scanner(rules, new Map(), new Set());
const two = new Scanner(doubled, new Map(), new Set());

const rows = databaseRows(1000);

// secretlint on the same text, one call over the whole corpus (its fastest mode).
const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] };
let findings = 0;
let secretlintMessages = 0;
const subjects = {
  mask: () => {
    findings = masker.scanText(corpus).findings.length;
  },
  lint: async () => {
    const r = await lintSource({
      source: { content: corpus, filePath: '/corpus.txt', ext: '.txt', contentType: 'text' },
      options: { config, noPhysicFilePath: true },
    });
    secretlintMessages = r.messages.length;
  },
  once: () => one.scan(corpus),
  twice: () => two.scan(corpus),
  rows: () => {
    for (const row of rows) masker.maskPayload(row as JsonObject, 'pg');
  },
};
type Subject = keyof typeof subjects;
const times = Object.fromEntries(Object.keys(subjects).map((k) => [k, [] as number[]])) as Record<
  Subject,
  number[]
>;
const ratios: { lint: number[]; twice: number[] } = { lint: [], twice: [] };
for (let round = -WARMUP; round < ROUNDS; round++) {
  const t = {} as Record<Subject, number>;
  for (const k of Object.keys(subjects) as Subject[]) t[k] = await cpuMs(subjects[k]);
  if (round < 0) continue;
  for (const k of Object.keys(subjects) as Subject[]) times[k].push(t[k]);
  ratios.lint.push(t.lint / t.mask);
  ratios.twice.push(t.twice / t.once);
}
const maskMs = median(times.mask);
const maskMBs = mb / (maskMs / 1000);
const lintMs = median(times.lint);
const lintMBs = mb / (lintMs / 1000);
const oneMs = median(times.once);
const twoMs = median(times.twice);
const rowsMs = median(times.rows);
const lintRatio = median(ratios.lint);
const twiceRatio = median(ratios.twice);
const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

const ttft = addedTimeToFirstText(masker);

const lines = [
  `Command: \`node --import tsx bench/mask/run.ts --mb ${MB}\` (${new Date().toISOString().slice(0, 10)}; rates are per CPU-second of this process, user + system, which other work on the machine changes less than wall clock).`,
  '',
  `The masker is the compiled build (tsc, as \`npm install\` builds dist/), not src/ through tsx. Corpus: ${mb.toFixed(1)} MiB of generated prompts, code, logs and JSON rows (a secret or personal datum in ~2.5% of lines), one core.`,
  '',
  '| measure | value | target |',
  '| --- | --- | --- |',
  `| Vigil masker, full catalogue (${rules.length} rules incl. token runs) + 1 known secret | ${maskMBs.toFixed(0)} MB/s (${maskMs.toFixed(0)} ms CPU, ${findings} findings) | ≥ 120 MB/s |`,
  `| secretlint recommended preset, same corpus | ${lintMBs.toFixed(1)} MB/s (${lintMs.toFixed(0)} ms CPU, ${secretlintMessages} messages) | |`,
  `| ratio Vigil / secretlint (median of the rounds' ratios; rounds ${spread(ratios.lint)}) | ${lintRatio.toFixed(2)}× | ≥ 2.5× |`,
  `| scanner, rules once / twice (${rules.length} / ${doubled.length}) | ${(mb / (oneMs / 1000)).toFixed(0)} / ${(mb / (twoMs / 1000)).toFixed(0)} MB/s: twice is ${((twiceRatio - 1) * 100).toFixed(0)}% slower (median of the rounds' ratios; rounds ${spread(ratios.twice)}) | ≤ 15% |`,
  `| 1,000 database rows (8 columns) through maskPayload | ${rowsMs.toFixed(2)} ms CPU | ≤ 5 ms |`,
  `| live masking, added time to first text (paced stream, ${ttft.gapMs} ms between deltas, ${ttft.streams} replies) | median ${ttft.medianMs.toFixed(2)} ms (masker CPU ${ttft.cpuMedianMs.toFixed(3)} ms; first text held for a later delta in ${ttft.heldShare}% of replies) | ≤ 1 ms |`,
  '',
  `Medians of ${ROUNDS} rounds after ${WARMUP} warm-up rounds; each round calls the masker, secretlint, the scanner with rules once and twice, and the rows, one after the other, twice each and times the second call, and a ratio is taken within a round. Machine: ${process.arch}, 2 shared cores, Node ${process.version}.`,
];
console.log(lines.join('\n'));
writeResultsSection('Masking', lines.join('\n'));
