// A statement's shape: its text with the plain literals (sql-lexer.ts: short decimal integers,
// single-quoted strings of letters, digits and a few harmless marks) replaced by a placeholder, so
// that `... WHERE id = 1` and `... WHERE id = 2` share one classification (sql-classifier.ts).
// Only texts whose verdict cannot read a literal's value get a shape; the rest are classified by
// their exact text:
// - SET statements (the pinned settings read their values), SQL PREPARE/EXECUTE (a string is code);
// - any comment (`/*! */` runs its content; `#`, `--`), a backslash (NO_BACKSLASH_ESCAPES would
//   move a string's end), a NUL: texts where readers could split the literals differently;
// - double-quoted strings are never replaced (ANSI_QUOTES makes them identifiers), backticks neither.
// The classifier also checks each new shape by classifying it with other literal values.
import type { LexResult } from './sql-lexer.js';

/** Text in which some reader might not see the literals where Vigil's lexer does. */
const UNSAFE_TEXT = /\/\*|#|--|\\|\0/;
const SQL_FIRST_WORDS = new Set(['set', 'prepare', 'execute', 'deallocate']);
/** The placeholder: NUL never stays in an eligible text, so a shape has one reading. */
const HOLE = '\0';

/** The shape key of a lexed text, or null when its classification may depend on literal values. */
export function statementShape(sql: string, lexed: LexResult): string | null {
  if (lexed.unterminated || lexed.uncertain || lexed.statements.length === 0 || UNSAFE_TEXT.test(sql))
    return null;
  let key = '';
  let holes = 0;
  for (const s of lexed.statements) {
    const first = s.tokens[0];
    if (first && first.kind === 'word' && SQL_FIRST_WORDS.has(first.text)) return null;
    let at = 0;
    for (const l of s.literals) {
      key += s.text.slice(at, l.start) + HOLE + (l.kind === 'string' ? 's' : 'n');
      at = l.end;
      holes++;
    }
    key += `${s.text.slice(at)}${HOLE};`;
  }
  return holes === 0 ? null : key;
}

/**
 * The same statements with every plain literal replaced by a value different from the original:
 * if the classification of this text differs, the shape's verdict reads literal values.
 */
export function probeText(lexed: LexResult): string {
  return lexed.statements
    .map((s) => {
      let text = '';
      let at = 0;
      for (const l of s.literals) {
        const original = s.text.slice(l.start, l.end);
        const probe =
          l.kind === 'string'
            ? original === "'vigil_probe'"
              ? "'vigil_probf'"
              : "'vigil_probe'"
            : original === '7'
              ? '8'
              : '7';
        text += s.text.slice(at, l.start) + probe;
        at = l.end;
      }
      return text + s.text.slice(at);
    })
    .join(';\n');
}
