// Text keys the tree builder matches on. Prompts quote earlier replies with small changes (case,
// spacing, a `Steps:` label glued on), so every comparison goes through these normal forms.
import { canonicalJson } from '../core/canonical-json.js';

export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** cyrb53: a fast 53-bit string hash; `seed` lets hashes be chained over a sequence of parts. */
export function hashText(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Hash of a sequence of parts, chained so that [a, b] and [ab] differ. */
export function chainHash(previous: number, part: string): number {
  return hashText(part, (previous % 4294967296) ^ 0x9e3779b9);
}

const STATE_IN_PARENS = /\(\s*left:\s*([^)]*)\)/i;
const NUMBER_SEQUENCE = /^-?\d+(?:\.\d+)?(?:\s+-?\d+(?:\.\d+)?)*$/;
const LEADING_LABEL = /^[a-z][a-z ]{0,30}:\s*/i;
/** Shorter lines (`Plan:`, `sure`) are too common to tell one reply from another. */
const MIN_LINE_KEY = 8;

/**
 * The keys of one line, most specific first: the line itself, the line without a leading label
 * (`Steps:4 + 8 = 12 ...`, `Answer: ...`), and its state: the numbers of a `(left: ...)` mark or a
 * bare number sequence, which is all a Game of 24 prompt carries of the thought it continues.
 */
export function lineKeys(raw: string): string[] {
  const line = normalizeText(raw);
  if (line === '') return [];
  const keys: string[] = [];
  if (line.length >= MIN_LINE_KEY) keys.push(`l:${line}`);
  const unlabeled = line.replace(LEADING_LABEL, '');
  if (unlabeled !== line && unlabeled.length >= MIN_LINE_KEY) keys.push(`l:${unlabeled}`);
  const state = stateOf(unlabeled);
  if (state !== null) keys.push(`s:${state}`);
  return keys;
}

export function stateOf(normalizedLine: string): string | null {
  const marked = STATE_IN_PARENS.exec(normalizedLine);
  if (marked) {
    const numbers = marked[1]!.trim().replace(/\s+/g, ' ');
    return NUMBER_SEQUENCE.test(numbers) ? numbers : null;
  }
  return NUMBER_SEQUENCE.test(normalizedLine) ? normalizedLine : null;
}

export function keyKind(key: string): 'line' | 'state' {
  return key.startsWith('s:') ? 'state' : 'line';
}

/** Fenced code blocks of a reply (```sql ... ```), without the fences. */
export function codeBlocks(text: string): string[] {
  const blocks: string[] = [];
  const fence = /```[^\n`]*\n([\s\S]*?)```/g;
  for (let match = fence.exec(text); match; match = fence.exec(text)) blocks.push(match[1]!);
  return blocks;
}

/** A statement or command in comparable form: case, spacing and a trailing `;` do not matter. */
export function normalizeStatement(text: string): string {
  return normalizeText(text).replace(/\s*;+\s*$/, '');
}

/** Splits a script on `;` outside quotes, keeping the non-empty statements. */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of script) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === ';') {
      if (current.trim()) out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) out.push(current);
  return out;
}

/** Arguments as canonical JSON when they parse, so key order and spacing do not matter. */
export function canonicalArguments(args: string): string {
  try {
    return canonicalJson(JSON.parse(args));
  } catch {
    return args.trim();
  }
}
