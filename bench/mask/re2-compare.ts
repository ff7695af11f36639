// re2 against V8's engine for the masker's prefilter expression and rule patterns. re2 is not a
// dependency (docs/masking.md says why): build it somewhere else and point RE2_FROM at that folder,
// e.g. `mkdir /tmp/re2 && cd /tmp/re2 && npm init -y && RE2_DOWNLOAD_FORCE_BUILD=1
// npm_config_nodedir=/usr npm install re2` (built from source, no prebuilt download).
// Run: RE2_FROM=/tmp/re2 node --import tsx bench/mask/re2-compare.ts
import { createRequire } from 'node:module';
import { BUILTIN_RULES } from '../../src/mask/catalogue.js';
import { literalTrie } from '../../src/mask/regex-text.js';
import { mixedCorpus } from './corpus.js';

let RE2: any;
try {
  RE2 = createRequire(`${process.env.RE2_FROM ?? process.cwd()}/`)('re2');
} catch {
  console.log('re2 is not installed where RE2_FROM points: nothing measured');
  process.exit(0);
}
const text = mixedCorpus(4 * 1024 * 1024);
const buf = Buffer.from(text);
const mb = text.length / 1048576;
function bench(name: string, fn: () => number) {
  fn();
  const t: number[] = [];
  let r = 0;
  for (let i = 0; i < 7; i++) {
    const c0 = process.cpuUsage();
    r = fn();
    const c = process.cpuUsage(c0);
    t.push((c.user + c.system) / 1000);
  }
  t.sort((a, b) => a - b);
  console.log(name.padEnd(40), (mb / (t[3]! / 1000)).toFixed(0), 'MB/s (CPU)', r);
}
const lits = [
  ...new Set(
    BUILTIN_RULES.flatMap((r) => (r.anchors ?? []).flatMap((a) => a.literals.map((l) => l.toLowerCase()))),
  ),
];
const src = literalTrie(lits, true);
const v8 = new RegExp(src, 'gi');
bench('V8 anchors (gi)', () => {
  let n = 0;
  v8.lastIndex = 0;
  while (v8.exec(text)) n++;
  return n;
});
const r2 = new RE2(src, 'gi');
bench('re2 anchors on string', () => {
  let n = 0;
  r2.lastIndex = 0;
  while (r2.exec(text)) n++;
  return n;
});
bench('re2 anchors on Buffer', () => {
  let n = 0;
  r2.lastIndex = 0;
  while (r2.exec(buf)) n++;
  return n;
});
const r2all = new RE2(src, 'gi');
bench('re2 anchors match() string', () => (text.match(r2all) ?? []).length);
// Hostile: a rule pattern with nested quantifiers on a crafted input
const evil = 'a'.repeat(28) + '!';
const nested = /^(a+)+$/;
const t0 = process.cpuUsage();
nested.test(evil);
const c = process.cpuUsage(t0);
console.log('V8 (a+)+$ on 28 a + !:', ((c.user + c.system) / 1000).toFixed(0), 'ms CPU');
const nested2 = new RE2('^(a+)+$');
const t1 = process.cpuUsage();
nested2.test('a'.repeat(100000) + '!');
const c1 = process.cpuUsage(t1);
console.log('re2 (a+)+$ on 100k a + !:', ((c1.user + c1.system) / 1000).toFixed(1), 'ms CPU');
// verification-style: many sticky execs at offsets — re2 per-call overhead
const rule = BUILTIN_RULES.find((r) => r.id === 'generic-high-entropy-assignment')!;
const stickyV8 = new RegExp(rule.pattern.replace(/\(\?<[a-z_0-9]+>/g, '('), 'y');
let stickyRe2: any = null;
try {
  stickyRe2 = new RE2(rule.pattern.replace(/\(\?<[a-z_0-9]+>/g, '('), 'y');
} catch (e) {
  console.log('re2 cannot compile generic rule:', (e as Error).message);
}
const offsets: number[] = [];
for (const m of text.matchAll(/api|token|secret/gi)) offsets.push(m.index!);
bench('V8 sticky verify at anchor hits', () => {
  let n = 0;
  for (const o of offsets) {
    stickyV8.lastIndex = o;
    if (stickyV8.exec(text)) n++;
  }
  return n;
});
if (stickyRe2)
  bench('re2 sticky verify at anchor hits', () => {
    let n = 0;
    for (const o of offsets) {
      stickyRe2.lastIndex = o;
      if (stickyRe2.exec(text)) n++;
    }
    return n;
  });
let unsupported = 0;
for (const r of BUILTIN_RULES) {
  if (!r.pattern) continue;
  try {
    new RE2(r.pattern, 'd');
  } catch {
    unsupported++;
    console.log('re2 refuses', r.id);
  }
}
console.log('rules re2 refuses:', unsupported);
