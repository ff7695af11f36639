// The statement the parser-flood and parser-stall tests send: node-sql-parser takes time exponential
// in CAST nesting (bench/mysql/parser-nesting.ts), so this one takes seconds to parse while staying
// within the depth Vigil parses.

/** Eight columns, each CAST nested twelve deep: parentheses 12 deep, seconds of parsing each. */
export function slowStatement(): string {
  const column = (n: number) => {
    let inner = `${n}`;
    for (let i = 0; i < 12; i++) inner = `CAST(${inner} AS CHAR)`;
    return inner;
  };
  return `SELECT ${Array.from({ length: 8 }, (_, n) => column(n)).join(', ')} FROM t`;
}
