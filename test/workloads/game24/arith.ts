// Game of 24 arithmetic for the scripted model: legal next steps, whether 24 is still reachable,
// and checking an answer expression.

export interface Step {
  readonly a: number;
  readonly op: '+' | '-' | '*' | '/';
  readonly b: number;
  readonly result: number;
  readonly left: number[];
}

export function parseNumbers(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

/** Every step combining two of the numbers into a whole, non-negative number. */
export function nextSteps(numbers: readonly number[]): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < numbers.length; i++) {
    for (let j = i + 1; j < numbers.length; j++) {
      const hi = Math.max(numbers[i]!, numbers[j]!);
      const lo = Math.min(numbers[i]!, numbers[j]!);
      const rest = numbers.filter((_, k) => k !== i && k !== j);
      const add = (op: Step['op'], a: number, b: number, result: number) =>
        steps.push({ a, op, b, result, left: [...rest, result].sort((x, y) => x - y) });
      add('+', hi, lo, hi + lo);
      add('*', hi, lo, hi * lo);
      add('-', hi, lo, hi - lo);
      if (lo !== 0 && hi % lo === 0) add('/', hi, lo, hi / lo);
    }
  }
  return steps;
}

const solvedCache = new Map<string, boolean>();

export function canReach24(numbers: readonly number[]): boolean {
  if (numbers.length === 1) return numbers[0] === 24;
  const key = [...numbers].sort((a, b) => a - b).join(' ');
  const known = solvedCache.get(key);
  if (known !== undefined) return known;
  const solved = nextSteps(numbers).some((s) => canReach24(s.left));
  solvedCache.set(key, solved);
  return solved;
}

export function formatStep(s: Step): string {
  return `${s.a} ${s.op} ${s.b} = ${s.result} (left: ${s.left.join(' ')})`;
}

const STEP_LINE = /^\s*(\d+)\s*([-+*/])\s*(\d+)\s*=\s*(\d+)/;

/** Rebuilds `(4 + 8) * (6 - 4)` from a trajectory of step lines over the input numbers. */
export function expressionOf(input: readonly number[], stepLines: readonly string[]): string | null {
  const pool = input.map((value) => ({ value, expr: String(value) }));
  for (const line of stepLines) {
    const m = STEP_LINE.exec(line);
    if (!m) continue;
    const take = (v: number) => {
      const at = pool.findIndex((p) => p.value === v);
      return at < 0 ? null : pool.splice(at, 1)[0]!;
    };
    const a = take(Number(m[1]));
    const b = take(Number(m[3]));
    if (!a || !b) return null;
    pool.push({ value: Number(m[4]), expr: `(${a.expr} ${m[2]} ${b.expr})` });
  }
  if (pool.length !== 1) return null;
  const expr = pool[0]!.expr;
  return expr.startsWith('(') && expr.endsWith(')') ? expr.slice(1, -1) : expr;
}

/** Evaluates + - * / with parentheses; null on anything else. */
export function evaluate(expression: string): number | null {
  const tokens = expression.match(/\d+(?:\.\d+)?|[-+*/()]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) return null;
  let pos = 0;
  const primary = (): number | null => {
    const t = tokens[pos++];
    if (t === '(') {
      const v = sum();
      return tokens[pos++] === ')' ? v : null;
    }
    return t !== undefined && /^\d/.test(t) ? Number(t) : null;
  };
  const product = (): number | null => {
    let v = primary();
    while (v !== null && (tokens[pos] === '*' || tokens[pos] === '/')) {
      const op = tokens[pos++];
      const r = primary();
      if (r === null) return null;
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (tokens[pos] === '+' || tokens[pos] === '-')) {
      const op = tokens[pos++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  return pos === tokens.length ? value : null;
}
