// Precision and recall per rule over the labelled corpus. A secret counts as found when a
// replacement covers it whole; a replacement that covers no labelled secret is a false positive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker } from '../../src/mask/index.js';
import { corpus } from './corpus/samples.js';

test('corpus: recall on secrets >= 0.98, precision >= 0.95, per rule reported', () => {
  const masker = createMasker({ fingerprintKey: 'corpus' });
  const samples = corpus();
  assert.ok(samples.length >= 300, `corpus has ${samples.length} samples`);
  const stats = new Map<string, { tp: number; fn: number; fp: number; found: number }>();
  const at = (rule: string) => {
    const existing = stats.get(rule);
    if (existing) return existing;
    const fresh = { tp: 0, fn: 0, fp: 0, found: 0 };
    stats.set(rule, fresh);
    return fresh;
  };
  for (const sample of samples) {
    const { text, findings } = masker.scanText(sample.text);
    const spans = sample.secrets.map((secret) => {
      const start = sample.text.indexOf(secret);
      return { start, end: start + secret.length };
    });
    for (const span of spans) {
      const covered = findings.some((f) => f.start <= span.start && f.end >= span.end);
      at(sample.rule)[covered ? 'tp' : 'fn']++;
      if (!covered)
        console.log(
          `missed (${sample.rule}): ${JSON.stringify(sample.text).slice(0, 160)} → ${text.slice(0, 160)}`,
        );
    }
    for (const f of findings) {
      const overlaps = spans.some((s) => f.start < s.end && f.end > s.start);
      if (overlaps) at(f.ruleId).found++;
      else {
        at(f.ruleId).fp++;
        console.log(
          `false positive (${f.ruleId}): ${JSON.stringify(sample.text.slice(f.start, f.end))} in ${JSON.stringify(sample.text).slice(0, 120)}`,
        );
      }
    }
  }
  const rows = [...stats].map(([rule, s]) => ({
    rule,
    recall: s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn),
    precision: s.found + s.fp === 0 ? 1 : s.found / (s.found + s.fp),
    ...s,
  }));
  console.log(
    rows
      .map((r) => `${r.rule.padEnd(34)} recall ${r.recall.toFixed(3)}  precision ${r.precision.toFixed(3)}`)
      .join('\n'),
  );
  const tp = rows.reduce((n, r) => n + r.tp, 0);
  const fn = rows.reduce((n, r) => n + r.fn, 0);
  const found = rows.reduce((n, r) => n + r.found, 0);
  const fp = rows.reduce((n, r) => n + r.fp, 0);
  console.log(
    `overall recall ${(tp / (tp + fn)).toFixed(4)} precision ${(found / (found + fp)).toFixed(4)} over ${samples.length} samples`,
  );
  assert.ok(tp / (tp + fn) >= 0.98, 'recall on secrets below 0.98');
  assert.ok(found / (found + fp) >= 0.95, 'precision below 0.95');
  for (const r of rows) assert.ok(r.recall >= 0.9, `${r.rule} recall ${r.recall}`);
});
