// MariaDB's sequences are tables (`CREATE SEQUENCE s`; `SELECT * FROM s` reads its one row), and
// these read or move them without naming them where a table stands: `NEXTVAL(s)` and `NEXT VALUE
// FOR s` advance it (a write of its row), `SETVAL(s, n)` sets it, `LASTVAL(s)` and `PREVIOUS VALUE
// FOR s` read the session's last value of it. node-sql-parser takes `s` for a column, so until 7
// December `SELECT SETVAL(payroll_seq, 1)` was a SELECT of no table past a rule on writing or
// reading payroll_seq. Each sequence is now recorded as read by a nested SELECT and, for the three
// that move it, written by a nested UPDATE of its one row (bounded: the row it has).
import type { StatementFacts } from '../../core/db-payloads.js';
import { tableName } from '../../policy/table-patterns.js';
import type { Token } from './sql-lexer.js';

const isName = (t: Token | undefined): t is Token => t?.kind === 'word' || t?.kind === 'ident';
const isWord = (t: Token | undefined, word: string) => t?.kind === 'word' && t.text === word;

/** The name at `at` (`s`, `db.s`, quoted parts) and the index after it, or null. */
function nameAt(tokens: readonly Token[], at: number): { name: string; next: number } | null {
  const parts: string[] = [];
  let i = at;
  while (isName(tokens[i])) {
    parts.push(tokens[i]!.text);
    if (tokens[i + 1]?.text !== '.') return { name: tableName(parts, '`'), next: i + 1 };
    i += 2;
  }
  return null;
}

/** The sequences a statement's words read and those they move. */
export function sequencesUsed(tokens: readonly Token[]): { read: string[]; moved: string[] } {
  const read = new Set<string>();
  const moved = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.kind !== 'word' && t.kind !== 'ident') return;
    const word = t.text.toLowerCase();
    let name: string | undefined;
    let moves = false;
    if ((word === 'nextval' || word === 'setval' || word === 'lastval') && tokens[i + 1]?.text === '(') {
      name = nameAt(tokens, i + 2)?.name;
      moves = word !== 'lastval';
    } else if (
      (word === 'next' || word === 'previous') &&
      isWord(tokens[i + 1], 'value') &&
      isWord(tokens[i + 2], 'for')
    ) {
      name = nameAt(tokens, i + 3)?.name;
      moves = word === 'next';
    }
    if (name === undefined) return;
    read.add(name);
    if (moves) moved.add(name);
  });
  return { read: [...read], moved: [...moved] };
}

/** The nested statements recording what a statement does to the sequences it uses, or []. */
export function sequenceStatements(tokens: readonly Token[]): StatementFacts[] {
  const { read, moved } = sequencesUsed(tokens);
  const nested = (kind: string, tables: string[], writes: boolean): StatementFacts => ({
    kind,
    hasWhere: writes,
    tables,
    writes,
    nested: true,
    functions: [],
    settings: [],
    flags: [],
  });
  return [
    ...(read.length > 0 ? [nested('SELECT', read, false)] : []),
    ...(moved.length > 0 ? [nested('UPDATE', moved, true)] : []),
  ];
}
