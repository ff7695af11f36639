// Guards against catastrophic backtracking in the built-in regular-expression engine, which the
// masker keeps rather than re2 (docs/masking.md has the measurement: re2 refuses 24 of the 30
// catalogue patterns for their lookarounds and is not faster on the anchor expression). Two
// guards: patterns are refused when a quantified group contains an unbounded quantifier (the shape
// of every exponential case, `(a+)+`, `(\w*\s?)*`); and every match the scanner tries is bounded
// (anchored rules are searched in a window around their literal, token runs by a linear loop).

/**
 * Whether `pattern` has a group repeated more than once that itself contains an unbounded
 * quantifier (`*`, `+`, `{n,}`): such a pattern may backtrack exponentially on a crafted input.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  // For each open group: whether it contains an unbounded quantifier.
  const stack: boolean[] = [];
  let inClass = false;
  let lastGroupUnbounded = false;
  let afterGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      afterGroup = false;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      afterGroup = false;
      continue;
    }
    if (ch === '(') {
      stack.push(false);
      afterGroup = false;
      continue;
    }
    if (ch === ')') {
      lastGroupUnbounded = stack.pop() ?? false;
      if (lastGroupUnbounded && stack.length > 0) stack[stack.length - 1] = true;
      afterGroup = true;
      continue;
    }
    const quant = quantifierAt(pattern, i);
    if (quant !== null) {
      if (afterGroup && lastGroupUnbounded && quant.max > 1) return true;
      if (quant.max === Number.POSITIVE_INFINITY && stack.length > 0) stack[stack.length - 1] = true;
      i += quant.length - 1;
      afterGroup = false;
      continue;
    }
    afterGroup = false;
  }
  return false;
}

function quantifierAt(pattern: string, i: number): { max: number; length: number } | null {
  const ch = pattern[i];
  const lazy = (n: number) => (pattern[i + n] === '?' ? n + 1 : n);
  if (ch === '*' || ch === '+') return { max: Number.POSITIVE_INFINITY, length: lazy(1) };
  if (ch === '?') return { max: 1, length: lazy(1) };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!m) return null;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    return { max, length: lazy(m[0].length) };
  }
  return null;
}
