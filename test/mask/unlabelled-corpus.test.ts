// Recall on secrets without a label and false positives on harmless look-alikes, per class, over
// the unlabelled corpus (plus the labelled corpus of corpus.test.ts for the total count). A secret
// counts as found when one replacement covers it whole (or, for a bind parameter, when the value is
// gone from the masked payload); a look-alike with any replacement is a false positive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker } from '../../src/mask/index.js';
import { corpus } from './corpus/samples.js';
import { unlabelledCorpus } from './corpus/unlabelled.js';

test('unlabelled secrets: recall >= 0.99; look-alikes: false positives <= 1% per class', () => {
  const masker = createMasker({ fingerprintKey: 'corpus' });
  const samples = unlabelledCorpus();
  const secrets = samples.filter((s) => s.kind === 'secret');
  const lookAlikes = samples.filter((s) => s.kind === 'look-alike');
  const total = samples.length + corpus().length;
  const rows = new Map<string, { kind: string; n: number; ok: number }>();
  for (const s of samples) {
    const row = rows.get(s.cls) ?? { kind: s.kind, n: 0, ok: 0 };
    rows.set(s.cls, row);
    row.n++;
    if (s.payload) {
      const masked = JSON.stringify(masker.maskPayload(s.payload, 'pg'));
      const gone = s.secrets.every((v) => !masked.includes(v));
      if (gone) row.ok++;
      else console.log(`missed (${s.cls}): ${s.payload.statement} ${masked}`);
      continue;
    }
    const { text, findings } = masker.scanText(s.text);
    if (s.kind === 'secret') {
      const covered = s.secrets.every((v) => {
        const start = s.text.indexOf(v);
        return start >= 0 && findings.some((f) => f.start <= start && f.end >= start + v.length);
      });
      if (covered) row.ok++;
      else
        console.log(
          `missed (${s.cls}): ${JSON.stringify(s.text).slice(0, 200)} → ${JSON.stringify(text).slice(0, 200)}`,
        );
    } else if (findings.length === 0) row.ok++;
    else
      console.log(
        `false positive (${s.cls}, ${findings.map((f) => f.ruleId).join(',')}): ${JSON.stringify(text).slice(0, 240)}`,
      );
  }
  const lines = [...rows].map(([cls, r]) =>
    r.kind === 'secret'
      ? `${cls.padEnd(16)} secret      n=${String(r.n).padStart(3)}  recall ${(r.ok / r.n).toFixed(3)}`
      : `${cls.padEnd(16)} look-alike  n=${String(r.n).padStart(3)}  false positives ${(((r.n - r.ok) / r.n) * 100).toFixed(1)}%`,
  );
  const found =
    secrets.length -
    [...rows.values()].filter((r) => r.kind === 'secret').reduce((a, r) => a + r.n - r.ok, 0);
  const fp = [...rows.values()].filter((r) => r.kind !== 'secret').reduce((a, r) => a + r.n - r.ok, 0);
  lines.push(
    `all unlabelled secrets n=${secrets.length} recall ${(found / secrets.length).toFixed(4)}; all look-alikes n=${lookAlikes.length} false positives ${((fp / lookAlikes.length) * 100).toFixed(2)}%; corpus total ${total}`,
  );
  console.log(lines.join('\n'));
  assert.ok(total >= 1000, `corpus has ${total} samples`);
  assert.ok(secrets.length >= 200, `${secrets.length} unlabelled secrets`);
  assert.ok(lookAlikes.length >= 300, `${lookAlikes.length} look-alikes`);
  assert.ok(found / secrets.length >= 0.99, 'recall on unlabelled secrets below 0.99');
  for (const [cls, r] of rows) {
    if (r.kind === 'secret') assert.ok(r.ok / r.n >= 0.99, `${cls}: recall ${r.ok / r.n}`);
    else assert.ok((r.n - r.ok) / r.n <= 0.01, `${cls}: false positives ${(r.n - r.ok) / r.n}`);
  }
});
