// What the guardrails read of one MySQL statement (a StatementFacts, core/db-payloads.ts), from
// node-sql-parser's tree (statement-parser.ts) and the lexer's tokens: its kind, tables, whether it
// writes, the functions it calls and what it does under another kind's name. Statements the parser
// cannot read are UNKNOWN, except a few shapes that cannot change data and that the parser does not
// know (SHOW ..., SET NAMES, savepoints). Used by sql-classifier.ts.
import type { StatementFacts } from '../../core/db-payloads.js';
import { READ_ONLY_KINDS } from '../../policy/sql-kinds.js';
import { isActivityTable, READS_ACTIVITY, showsActivity } from './activity-tables.js';
import { tablesExposedBy } from './exposed-tables.js';
import { tablesReadByWords } from './exposed-words.js';
import { impliedStatementsOf, tableListNames } from './implied-statements.js';
import { READS_OTHER_TABLES, reachesOtherTables } from './remote-tables.js';
import { sequenceStatements } from './sequence-functions.js';
import { READS_SERVER_FILES, readsServerFiles } from './server-files.js';
import type { Token } from './sql-lexer.js';
import type { ParsedStatement } from './statement-parser.js';
import { statisticsReads } from './statistics-tables.js';
import { treeTableNames } from './tree-tables.js';

const READ_ONLY = new Set<string>([...READ_ONLY_KINDS, 'USE', 'DESCRIBE', 'SET', 'UNLOCK', 'LOCK']);

export interface ClassifiedStatement extends StatementFacts {
  /** The statement as the server reads it. */
  text: string;
  /** What it does under another kind's name (implied-statements.ts), recorded after it as nested. */
  implied: StatementFacts[];
}

export const UNKNOWN_KIND = 'UNKNOWN';
export const KILL_KIND = 'KILL';

const KIND: Readonly<Record<string, string>> = {
  replace: 'INSERT',
  desc: 'DESCRIBE',
  load_data: 'LOAD',
  unlock: 'UNLOCK',
};

/** A statement Vigil cannot read: judged as one that may write anything. */
export function unknown(text: string): ClassifiedStatement {
  return {
    text,
    kind: UNKNOWN_KIND,
    hasWhere: false,
    tables: [],
    writes: true,
    nested: false,
    functions: [],
    settings: [],
    flags: [],
    implied: [],
  };
}

/**
 * One statement's facts from its parse (statement-parser.ts); without one, from its first words
 * where they settle its kind, else UNKNOWN.
 */
export function statementFacts(
  text: string,
  tokens: readonly Token[],
  parsed: ParsedStatement | null,
): ClassifiedStatement {
  if (parsed === null) return fallback(text, tokens);
  const asts = Array.isArray(parsed.ast) ? parsed.ast : [parsed.ast];
  // The lexer split the string; one piece must be one statement, or the two disagree.
  if (asts.length !== 1 || !isObject(asts[0])) return unknown(text);
  const ast = asts[0];
  const type = String(ast.type ?? '').toLowerCase();
  const kind = KIND[type] ?? type.toUpperCase();
  // The parser's table list misses the tables of a parenthesized join group (tree-tables.ts);
  // those it lost count as tables of the statement, and as read by it.
  const listed = tableListNames(parsed.tableList, ast);
  const inTree = treeTableNames(ast);
  if (inTree === null) return unknown(text);
  const lost = inTree.filter((t) => !listed.includes(t));
  const tables = [...listed, ...lost];
  const intoFile = tokens.some(
    (t, i) => t.text === 'into' && (tokens[i + 1]?.text === 'outfile' || tokens[i + 1]?.text === 'dumpfile'),
  );
  const functions = new Set<string>();
  collectFunctions(ast, functions, 0);
  const implied = withExposed(impliedStatementsOf(ast, parsed.tableList, lost), tablesExposedBy(ast, tables));
  return {
    text,
    kind,
    hasWhere: (kind === 'UPDATE' || kind === 'DELETE') && refersToColumn(ast.where, 0),
    tables,
    writes:
      intoFile ||
      !READ_ONLY.has(kind) ||
      (kind === 'SELECT' && tokens.some((t) => t.text === 'into')) ||
      (kind === 'SET' && setReachesOthers(tokens)) ||
      (kind === 'TRANSACTION' && readWrite(tokens)),
    nested: false,
    functions: [...functions],
    settings: [],
    flags: [],
    // A statement reading the optimizer's column statistics reads every table's sampled values
    // (statistics-tables.ts), whichever of its reads names them; and what its words read besides.
    implied: withWordReads(
      tokens,
      tables,
      withExposed(implied, statisticsReads([...tables, ...implied.flatMap((s) => s.tables)])),
    ),
  };
}

/**
 * The implied statements followed by what the statement's words read or write besides: the read
 * of every table that a view of other sessions' work is, when the words or a schema-qualified
 * table show it (activity-tables.ts; the gateway adds the unqualified ones it reads in the
 * session's database: query-payloads.ts), and that a read of the server's files is
 * (server-files.ts), and that a table reaching other tables is (remote-tables.ts); the sequences
 * it reads or moves (sequence-functions.ts).
 */
function withWordReads(
  tokens: readonly Token[],
  tables: string[],
  implied: StatementFacts[],
): StatementFacts[] {
  const named = [...tables, ...implied.flatMap((s) => s.tables)].some((t) => isActivityTable(t, null));
  return [
    ...implied,
    ...sequenceStatements(tokens),
    ...(named || showsActivity(tokens) ? [READS_ACTIVITY] : []),
    ...(readsServerFiles(tokens) ? [READS_SERVER_FILES] : []),
    ...(reachesOtherTables(tokens) ? [READS_OTHER_TABLES] : []),
  ];
}

/**
 * The implied statements with the tables the statement shows rows of without returning them
 * (exposed-tables.ts) added to its nested SELECT, or to a new one after them: one read per
 * statement in the record.
 */
function withExposed(implied: StatementFacts[], exposed: readonly string[]): StatementFacts[] {
  if (exposed.length === 0) return implied;
  const at = implied.findIndex((s) => s.kind === 'SELECT' && s.nested);
  if (at < 0)
    return [
      ...implied,
      {
        kind: 'SELECT',
        hasWhere: false,
        tables: [...new Set(exposed)],
        writes: false,
        nested: true,
        functions: [],
        settings: [],
        flags: [],
      },
    ];
  const read = implied[at]!;
  return implied.map((s, i) =>
    i === at ? { ...read, tables: [...new Set([...read.tables, ...exposed])] } : s,
  );
}

/** Statements the parser does not know whose kind their first words settle. */
function fallback(text: string, tokens: readonly Token[]): ClassifiedStatement {
  const [a, b, c] = tokens.map((t) => t.text);
  const words = tokens.every((t) => t.kind !== 'punct' || t.text === ',' || t.text === '.' || t.text === '=');
  if (a === 'show' && !tokens.some((t) => t.kind === 'punct' && t.text === '('))
    return { ...read(text, 'SHOW'), implied: withWordReads(tokens, [], []) };
  // A SET may make an engine reaching other tables the default (remote-tables.ts).
  if (
    (words && a === 'set' && (b === 'names' || (b === 'character' && c === 'set') || b === 'charset')) ||
    (a === 'set' && sessionAssignments(tokens))
  )
    return { ...read(text, 'SET'), implied: withWordReads(tokens, [], []) };
  // DDL on a whole database names no table: its kind is all a guardrail needs.
  if ((a === 'drop' || a === 'create' || a === 'alter') && (b === 'database' || b === 'schema'))
    return { ...unknown(text), kind: a.toUpperCase() };
  // Anything else the parser cannot read stays UNKNOWN and reads the tables its words name (a
  // trigger's, HANDLER's, CHECKSUM's, ANALYZE's, any after FROM or JOIN: exposed-words.ts).
  const reads = tablesReadByWords(tokens);
  const implied = withWordReads(tokens, [], withExposed([], [...reads, ...statisticsReads(reads)]));
  if (implied.length > 0) return { ...unknown(text), implied };
  if (
    words &&
    (a === 'savepoint' ||
      (a === 'release' && b === 'savepoint') ||
      (a === 'rollback' && (b === 'to' || b === 'work')))
  )
    return read(text, 'TRANSACTION');
  return unknown(text);
}

/**
 * `SET name = constant, ...` of session variables: `@user` variables and session system variables
 * set to a word, number or string. A SET that reaches other sessions (GLOBAL, PERSIST, a password)
 * is a write.
 */
function sessionAssignments(tokens: readonly Token[]): boolean {
  let i = 1;
  for (;;) {
    let t = tokens[i];
    if (t?.kind === 'word' && (t.text === 'session' || t.text === 'local')) t = tokens[++i];
    if (!t || (t.kind !== 'word' && t.kind !== 'var') || !isSessionTarget(t)) return false;
    if (tokens[i + 1]?.text !== '=' && tokens[i + 1]?.text !== ':=') return false;
    const value = tokens[i + 2];
    if (!value || !['word', 'number', 'string'].includes(value.kind)) return false;
    if (value.kind === 'word' && tokens[i + 3]?.text === '(') return false;
    const after = tokens[i + 3];
    if (!after) return true;
    if (after.text !== ',') return false;
    i += 4;
  }
}

function isSessionTarget(t: Token): boolean {
  if (t.kind === 'var') return !/^@@(global|persist|persist_only)\./.test(t.text);
  return ![
    'global',
    'persist',
    'persist_only',
    'password',
    'role',
    'default',
    'transaction',
    'statement',
  ].includes(t.text);
}

/** SET kinds that reach beyond the session. */
export function setReachesOthers(tokens: readonly Token[]): boolean {
  return tokens.some(
    (t) =>
      (t.kind === 'word' &&
        (t.text === 'global' ||
          t.text === 'persist' ||
          t.text === 'persist_only' ||
          t.text === 'password')) ||
      (t.kind === 'var' && /^@@(global|persist|persist_only)\./.test(t.text)),
  );
}

/**
 * `START TRANSACTION READ WRITE`: a transaction that may write even in a session made read-only
 * (a read-only connection's second wall, session-checks.ts), so it counts as a write.
 */
function readWrite(tokens: readonly Token[]): boolean {
  return tokens.some((t, i) => t.kind === 'word' && t.text === 'read' && tokens[i + 1]?.text === 'write');
}

function read(text: string, kind: string): ClassifiedStatement {
  return { ...unknown(text), kind, writes: false };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A WHERE bounds rows only when it refers to a column (`WHERE 1=1` does not). */
function refersToColumn(node: unknown, depth: number): boolean {
  if (depth > 200 || node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => refersToColumn(n, depth + 1));
  if ((node as Record<string, unknown>).type === 'column_ref') return true;
  for (const key in node) if (refersToColumn((node as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

function collectFunctions(node: unknown, out: Set<string>, depth: number): void {
  if (depth > 200 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) collectFunctions(n, out, depth + 1);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.type === 'function') {
    const name = functionName(o.name);
    if (name) out.add(name.toLowerCase());
  }
  for (const key in o) collectFunctions(o[key], out, depth + 1);
}

function functionName(name: unknown): string | null {
  if (typeof name === 'string') return name;
  if (isObject(name) && Array.isArray(name.name)) {
    return name.name.map((p) => (isObject(p) ? String(p.value ?? '') : '')).join('.');
  }
  return null;
}
