// Settings that change how the server reads statement text, which Vigil's lexer must read alike:
// - sql_mode: NO_BACKSLASH_ESCAPES ends a string at a backslash-quote, and ANSI_QUOTES (also in the
//   ANSI, DB2, MAXDB, MSSQL, ORACLE and POSTGRESQL combinations) makes "..." an identifier, so a
//   text Vigil reads as one SELECT with a string could run a DROP after it;
// - the client character set: in big5, cp932, gbk, sjis and gb18030 a backslash byte can be the
//   second byte of a character, which hides a quote from Vigil.
// A statement that would set either to such a value (or to anything Vigil cannot read as a
// constant, DEFAULT included: the server's global value) is refused with `setting_pinned`; the
// server's status flag for NO_BACKSLASH_ESCAPES and the values read when the session starts are
// checked too. SET NAMES is looked for wherever a SET is, not only at the start of the text: MariaDB
// runs it behind `SET STATEMENT ... FOR`, in compound statements (`BEGIN NOT ATOMIC ... END`, `IF
// ... THEN ... END IF`), and from the text of `EXECUTE IMMEDIATE` or `PREPARE ... FROM`, and the
// character set it sets stays for the session. That text is checked as a statement of its own when
// it is a literal; computed (a variable, an expression), it could set anything, and is refused.
import { VigilError } from '../../core/errors.js';
import { lexMysql, type Token } from './sql-lexer.js';

const UNSAFE_MODES = [
  'NO_BACKSLASH_ESCAPES',
  'ANSI_QUOTES',
  'ANSI',
  'DB2',
  'MAXDB',
  'MSSQL',
  'ORACLE',
  'POSTGRESQL',
];
export const UNSAFE_CHARSETS = ['big5', 'cp932', 'gbk', 'sjis', 'gb18030'];
/** Handshake collation ids of those character sets. */
export const UNSAFE_COLLATION_IDS = new Set([1, 84, 13, 88, 28, 87, 95, 96, 248, 249, 250]);

export function unsafeSqlMode(mode: string): boolean {
  return mode
    .toUpperCase()
    .split(',')
    .some((m) => UNSAFE_MODES.includes(m.trim()));
}

export function unsafeCharset(name: string): boolean {
  const lower = name.toLowerCase();
  return UNSAFE_CHARSETS.some((c) => lower === c || lower.startsWith(`${c}_`));
}

/**
 * A character set value Vigil can read and allow: a name (word or string) that is not one of the
 * unsafe ones. The word DEFAULT is not a name: it takes the server's GLOBAL value, which Vigil never
 * read (a session starts with the character set of its handshake), so it is refused too.
 */
function safeCharsetValue(value: Token | undefined): boolean {
  if (!value || (value.kind !== 'string' && value.kind !== 'word')) return false;
  if (value.kind === 'word' && value.text === 'default') return false;
  return !unsafeCharset(value.text);
}

const isName = (t: Token, name: string) =>
  (t.kind === 'word' || t.kind === 'ident') && t.text.toLowerCase() === name
    ? true
    : t.kind === 'var' &&
      /^@@((session|global|local)\.)?/.test(t.text) &&
      t.text.replace(/^@@((session|global|local)\.)?/, '') === name;

const pinned = (what: string) =>
  new VigilError('setting_pinned', `${what} is pinned by Vigil: it changes how statements are read`);

/** Nested dynamic texts deeper than this are refused rather than followed. */
const MAX_DYNAMIC_DEPTH = 8;

/** The refusal for a statement that would change a pinned setting, or null. */
export function checkPinnedSettings(tokens: readonly Token[], depth = 0): VigilError | null {
  let inSet = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const assigned = tokens[i + 1]?.text === '=' || tokens[i + 1]?.text === ':=';
    if (isName(t, 'sql_mode') && assigned) {
      const value = tokens[i + 2];
      const after = tokens[i + 3];
      if (
        value?.kind !== 'string' ||
        unsafeSqlMode(value.text) ||
        (after && after.text !== ',' && after.kind !== 'word')
      )
        return pinned('sql_mode (NO_BACKSLASH_ESCAPES, ANSI_QUOTES, or a value that is not a constant)');
    }
    if ((isName(t, 'character_set_client') || isName(t, 'character_set_connection')) && assigned) {
      if (!safeCharsetValue(tokens[i + 2])) return pinned('the client character set');
    }
    const setNames =
      isName(t, 'names') || isName(t, 'charset') || (isName(t, 'character') && tokens[i + 1]?.text === 'set');
    const valueAt = isName(t, 'character') ? i + 2 : i + 1;
    // SET NAMES x, SET CHARACTER SET x, SET CHARSET x: right after a SET, or after a comma once a
    // SET was seen (`SET @a = 1, NAMES x`); not a column so named (`UPDATE t SET names = 'x'`).
    const previous = tokens[i - 1];
    const afterSet = previous?.kind === 'word' && previous.text === 'set';
    if (setNames && (afterSet || (inSet && previous?.text === ',')) && !isAssignment(tokens[valueAt])) {
      if (!safeCharsetValue(tokens[valueAt])) return pinned('the client character set');
    }
    if (t.kind === 'word' && t.text === 'set') inSet = true;
    const dynamic = dynamicTextAt(tokens, i);
    if (dynamic !== undefined) {
      const refusal = checkDynamicText(dynamic, depth);
      if (refusal) return refusal;
    }
  }
  return null;
}

const isAssignment = (t: Token | undefined) => t?.text === '=' || t?.text === ':=';

/**
 * The SQL text `EXECUTE IMMEDIATE <text>` or `PREPARE name FROM <text>` at token `i` runs: the
 * literal's content, null when it is computed, undefined when no such statement starts there.
 */
function dynamicTextAt(tokens: readonly Token[], i: number): string | null | undefined {
  const t = tokens[i]!;
  if (t.kind !== 'word') return undefined;
  let at: number;
  if (t.text === 'execute' && tokens[i + 1]?.text === 'immediate') at = i + 2;
  else if (t.text === 'prepare' && tokens[i + 2]?.kind === 'word' && tokens[i + 2]?.text === 'from')
    at = i + 3;
  else return undefined;
  const text = tokens[at];
  const after = tokens[at + 1];
  // A literal alone (or before USING): not `'a' 'b'` (concatenated), `_latin1'...'`, `x'...'`, @v.
  const literal =
    text?.kind === 'string' &&
    (!after || after.text === ';' || (after.kind === 'word' && after.text === 'using'));
  return literal ? text.text : null;
}

function checkDynamicText(text: string | null, depth: number): VigilError | null {
  if (text === null || depth >= MAX_DYNAMIC_DEPTH)
    return pinned('a text run by EXECUTE IMMEDIATE or PREPARE that is not a literal (it could set anything)');
  const lexed = lexMysql(text);
  if (lexed.unterminated || lexed.uncertain)
    return pinned('a text run by EXECUTE IMMEDIATE or PREPARE that Vigil cannot read');
  for (const statement of lexed.statements) {
    const refusal = checkPinnedSettings(statement.tokens, depth + 1);
    if (refusal) return refusal;
  }
  return null;
}
