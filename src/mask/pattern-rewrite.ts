// Makes rule patterns safe to join into one alternation: named groups get a per-rule prefix, and a
// custom rule's numbered secret group becomes a named one (numbers shift once patterns are joined).
import { VigilError } from '../core/errors.js';

/** Prefixes every named group and named back-reference with `prefix`. */
export function prefixGroupNames(pattern: string, prefix: string): string {
  return pattern.replace(
    /\(\?<([A-Za-z_][A-Za-z0-9_]*)>|\\k<([A-Za-z_][A-Za-z0-9_]*)>/g,
    (whole, group, ref) => {
      if (group !== undefined) return `(?<${prefix}${group}>`;
      if (ref !== undefined) return `\\k<${prefix}${ref}>`;
      return whole;
    },
  );
}

/**
 * Rewrites a custom pattern so capture group `group` (1-based) is the named group `s`; group 0
 * wraps nothing. Numbered back-references are refused: they would point elsewhere once joined.
 */
export function nameSecretGroup(pattern: string, group: number, ruleId: string): string {
  let out = '';
  let inClass = false;
  let count = 0;
  let found = group === 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) {
        throw new VigilError(
          'config_invalid',
          `masking rule "${ruleId}": numbered back-references are not supported`,
        );
      }
      out += ch + next;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    if (ch === '(') {
      const rest = pattern.slice(i + 1, i + 3);
      if (rest.startsWith('?<') && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
        throw new VigilError(
          'config_invalid',
          `masking rule "${ruleId}": use plain ( ) groups and "group: N"`,
        );
      }
      if (!rest.startsWith('?')) {
        count++;
        if (count === group) {
          out += '(?<s>';
          found = true;
          continue;
        }
      }
    }
    out += ch;
  }
  if (!found) {
    throw new VigilError(
      'config_invalid',
      `masking rule "${ruleId}": the pattern has no capture group ${group}`,
    );
  }
  return out;
}
