// Masking throughput on one core: the full catalogue over a mixed corpus, 1,000 database rows, and
// secretlint's recommended preset on the same corpus for comparison.
// Run: node --import tsx bench/mask/run.ts [--mb 4]
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { JsonObject } from '../../src/core/events.js';
import { createMasker } from '../../src/mask/index.js';
import { writeResultsSection } from '../support/results-file.js';
import { databaseRows, mixedCorpus } from './corpus.js';

const mbArg = process.argv.indexOf('--mb');
const MB = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 4;
const RUNS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, runs = RUNS): number {
  fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const corpus = mixedCorpus(MB * 1024 * 1024);
const mb = corpus.length / (1024 * 1024);
const masker = createMasker({ fingerprintKey: 'bench', enabledRules: [] });
masker.addKnownSecret('injected-upstream-credential-1234', 'openai');

let findings = 0;
const maskMs = time(() => {
  findings = masker.scanText(corpus).findings.length;
});
const maskMBs = mb / (maskMs / 1000);

const rows = databaseRows(1000);
const rowsMs = time(() => {
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
await lint();
const lintTimes: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  await lint();
  lintTimes.push(performance.now() - t0);
}
const lintMs = median(lintTimes);
const lintMBs = mb / (lintMs / 1000);

const lines = [
  `Command: \`node --import tsx bench/mask/run.ts --mb ${MB}\``,
  '',
  `Corpus: ${mb.toFixed(1)} MiB of generated prompts, code, logs and JSON rows (a secret or personal datum in ~2.5% of lines), one core.`,
  '',
  '| measure | value | target |',
  '| --- | --- | --- |',
  `| Vigil masker, full catalogue + 1 known secret | ${maskMBs.toFixed(0)} MB/s (${maskMs.toFixed(0)} ms, ${findings} findings) | ≥ 100 MB/s |`,
  `| 1,000 database rows (8 columns) through maskPayload | ${rowsMs.toFixed(2)} ms | ≤ 5 ms |`,
  `| secretlint recommended preset, same corpus | ${lintMBs.toFixed(1)} MB/s (${lintMs.toFixed(0)} ms, ${secretlintMessages} messages) | |`,
  `| ratio Vigil / secretlint | ${(maskMBs / lintMBs).toFixed(1)}× | > 1 |`,
  '',
  `Medians of ${RUNS} runs (rows: 21) after a warm-up. Machine: ${process.arch}, 2 shared cores, Node ${process.version}.`,
];
console.log(lines.join('\n'));
writeResultsSection('Masking', lines.join('\n'));
