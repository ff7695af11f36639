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
const RUNS = 7;
/**
 * Calls before timing: the masker's first calls pay for optimising its code (V8's compiler threads
 * count in this process's CPU time) and for growing the heap. Per-call series of a 4 MiB scan, one
 * process each: 149 146 52 64 51 54 45 37 37 39 … ms, settling after five to eight calls; with three
 * warm-ups the median of seven landed in that tail in some processes and not others (95 against
 * 132 MB/s, same build, same hour). secretlint settles after about three; both get the same warm-up.
 */
const WARMUP = 8;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median CPU milliseconds (user + system of this process) of `runs` calls after the warm-up. */
function cpuTime(fn: () => void, runs = RUNS): number {
  for (let i = 0; i < WARMUP; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    t.push((c.user + c.system) / 1000);
  }
  return median(t);
}

const corpus = mixedCorpus(MB * 1024 * 1024);
const mb = corpus.length / (1024 * 1024);
const masker = createMasker({ fingerprintKey: 'bench', enabledRules: [] });
masker.addKnownSecret('injected-upstream-credential-1234', 'openai');

let findings = 0;
const maskMs = cpuTime(() => {
  findings = masker.scanText(corpus).findings.length;
});
const maskMBs = mb / (maskMs / 1000);

// The same scanner with every rule once and twice (copies under other ids, same anchors).
const rules = BUILTIN_RULES.filter((r) => !r.defaultOff);
const doubled = [...rules, ...rules.map((r) => ({ ...r, id: `${r.id}-copy` }))];
const one = new Scanner(rules, new Map(), new Set());
const two = new Scanner(doubled, new Map(), new Set());
const oneMs = cpuTime(() => one.scan(corpus));
const twoMs = cpuTime(() => two.scan(corpus));

const rows = databaseRows(1000);
const rowsMs = cpuTime(() => {
  for (const row of rows) masker.maskPayload(row as JsonObject, 'pg');
}, 21);

// secretlint on the same text, one call over the whole corpus (its fastest mode).
const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] };
let secretlintMessages = 0;
const lint = async () => {
  const r = await lintSource({
    source: { content: corpus, filePath: '/corpus.txt', ext: '.txt', contentType: 'text' },
    options: { config, noPhysicFilePath: true },
  });
  secretlintMessages = r.messages.length;
};
for (let i = 0; i < WARMUP; i++) await lint();
const lintTimes: number[] = [];
for (let i = 0; i < 5; i++) {
  const c0 = process.cpuUsage();
  await lint();
  const c = process.cpuUsage(c0);
  lintTimes.push((c.user + c.system) / 1000);
}
const lintMs = median(lintTimes);
const lintMBs = mb / (lintMs / 1000);

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
  `| ratio Vigil / secretlint | ${(maskMBs / lintMBs).toFixed(2)}× | ≥ 2.5× |`,
  `| scanner, rules once / twice (${rules.length} / ${doubled.length}) | ${(mb / (oneMs / 1000)).toFixed(0)} / ${(mb / (twoMs / 1000)).toFixed(0)} MB/s: twice is ${((twoMs / oneMs - 1) * 100).toFixed(0)}% slower | ≤ 15% |`,
  `| 1,000 database rows (8 columns) through maskPayload | ${rowsMs.toFixed(2)} ms CPU | ≤ 5 ms |`,
  `| live masking, added time to first text (paced stream, ${ttft.gapMs} ms between deltas, ${ttft.streams} replies) | median ${ttft.medianMs.toFixed(2)} ms (masker CPU ${ttft.cpuMedianMs.toFixed(3)} ms; first text held for a later delta in ${ttft.heldShare}% of replies) | ≤ 1 ms |`,
  '',
  `Medians of ${RUNS} runs (rows: 21, secretlint: 5) after ${WARMUP} warm-up runs each. Machine: ${process.arch}, 2 shared cores, Node ${process.version}.`,
];
console.log(lines.join('\n'));
writeResultsSection('Masking', lines.join('\n'));
