// Classifies MySQL statements for the guardrails: one StatementFacts (core/db-payloads.ts) per
// statement of a multi-statement string, read as the server will read them (sql-lexer.ts splits
// the string and unwraps executable comments; node-sql-parser in its MySQL mode parses each piece).
// Unparseable statements are UNKNOWN, except for a few shapes that cannot change data and that
// the parser does not know (SHOW ..., SET NAMES, savepoints). SQL-level PREPARE and EXECUTE run
// text Vigil cannot see: they are marked so the proxy refuses them unless unknown statements are
// allowed.
import { createRequire } from 'node:module';
import type { StatementFacts } from '../../core/db-payloads.js';
import { READ_ONLY_KINDS } from '../../policy/sql-kinds.js';
import { impliedStatementsOf, tableListNames } from './implied-statements.js';
import { parserSpelling } from './parser-spelling.js';
import { type LexResult, lexMysql, type Token } from './sql-lexer.js';
import { probeText, statementShape } from './statement-shape.js';
import { treeTableNames } from './tree-tables.js';
import type { ServerDialect } from './version-comments.js';

const READ_ONLY = new Set<string>([...READ_ONLY_KINDS, 'USE', 'DESCRIBE', 'SET', 'UNLOCK', 'LOCK']);

interface SqlParser {
  parse(text: string, options: typeof OPTIONS): unknown;
}
let loadedParser: SqlParser | null = null;
/**
 * Loaded on first use, not at import: the parser costs about 200 ms to load, and every CLI start
 * imports the module list. Only the MySQL dialect's build: half the load time of the all-dialect entry.
 */
function parser(): SqlParser {
  if (loadedParser === null) {
    const { Parser } = createRequire(import.meta.url)('node-sql-parser/build/mysql.js') as {
      Parser: new () => SqlParser;
    };
    loadedParser = new Parser();
  }
  return loadedParser;
}
const OPTIONS = { database: 'mysql' } as const;

export interface ClassifiedStatement extends StatementFacts {
  /** The statement as the server reads it. */
  text: string;
  /** What it does under another kind's name (implied-statements.ts), recorded after it as nested. */
  implied: StatementFacts[];
}

export interface Classification {
  readonly statements: readonly Readonly<ClassifiedStatement>[];
  readonly tokens: readonly (readonly Token[])[];
  /** Why Vigil cannot know what runs (SQL PREPARE/EXECUTE), or null. */
  readonly uncertain: string | null;
  /**
   * Why Vigil cannot even read the text as the server will (sql-lexer.ts), or null: refused even
   * where unknown statements are allowed, since the pinned settings cannot be checked either.
   */
  readonly unreadable?: string;
}

export const UNKNOWN_KIND = 'UNKNOWN';
export const KILL_KIND = 'KILL';

const KIND: Readonly<Record<string, string>> = {
  replace: 'INSERT',
  desc: 'DESCRIBE',
  load_data: 'LOAD',
  unlock: 'UNLOCK',
};

function unknown(text: string): ClassifiedStatement {
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
 * node-sql-parser takes about a millisecond per statement (bench/mysql), most of Vigil's CPU per
 * statement; the classification depends on the text alone, so repeated texts (an application's
 * statements, prepared or not) are classified once. Texts that differ only in plain literals share
 * one classification by their shape (statement-shape.ts), checked when first seen: a shape is kept
 * only if other literal values classify the same. Both caches are bounded in entries and text length.
 */
const CACHE_ENTRIES = 2000;
const CACHE_TEXT_CHARS = 8192;
const cache = new Map<string, Classification>();
/** Shape key -> the facts of its statements (no text, no tokens), or null: it reads literal values. */
const shapes = new Map<string, readonly Facts[] | null>();
/** A statement's classification with its text left out (empty): the text is the caller's. */
type Facts = Readonly<ClassifiedStatement>;
interface ShapeFacts {
  readonly statements: readonly Facts[];
  readonly uncertain: string | null;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > CACHE_ENTRIES) map.delete(map.keys().next().value!);
}

function recall<K, V>(map: Map<K, V>, key: K): V | undefined {
  const hit = map.get(key);
  if (hit !== undefined) {
    // Most recently used last, so the oldest entry is the first to go.
    map.delete(key);
    map.set(key, hit);
  }
  return hit;
}

/**
 * The statements of `sql` as `server` will read them (which version-gated comments it runs); null
 * when the server is not known, as in `vigil policy test`.
 */
export function classifyMysql(sql: string, server: ServerDialect | null = null): Classification {
  if (sql.length > CACHE_TEXT_CHARS) return classifyUncached(sql, server);
  // The server is part of the key: one text reads differently on two servers.
  const key = `${server ? `${server.mariadb ? 'm' : 'o'}${server.version}` : '-'}\0${sql}`;
  const hit = recall(cache, key);
  if (hit) return hit;
  const fresh = classifyByShape(sql, server);
  remember(cache, key, fresh);
  return fresh;
}

/** Shapes hold no comment (statement-shape.ts), so their facts do not depend on the server. */
function classifyByShape(sql: string, server: ServerDialect | null): Classification {
  const text = withoutTrailingNul(sql);
  const lexed = lexMysql(text, server);
  const shape = statementShape(text, lexed);
  if (shape === null) return classifyLexed(sql, lexed);
  const known = recall(shapes, shape);
  if (known === null) return classifyLexed(sql, lexed);
  if (known) return fromShape(lexed, known);
  const fresh = classifyLexed(sql, lexed);
  const probe = classifyUncached(probeText(lexed));
  const same = sameFacts(fresh, probe);
  remember(shapes, shape, same ? fresh.statements.map(factsOf) : null);
  return fresh;
}

function fromShape(lexed: LexResult, facts: readonly Facts[]): Classification {
  return {
    statements: lexed.statements.map((s, i) => ({ ...facts[i]!, text: s.text })),
    tokens: lexed.statements.map((s) => s.tokens),
    uncertain: null,
  };
}

function factsOf(s: Readonly<ClassifiedStatement>): Facts {
  return { ...s, text: '' };
}

function sameFacts(a: Classification, b: Classification): boolean {
  const view = (c: Classification): ShapeFacts => ({
    statements: c.statements.map(factsOf),
    uncertain: c.uncertain,
  });
  return !a.uncertain && JSON.stringify(view(a)) === JSON.stringify(view(b));
}

// Some clients (mysqlslap) count the C string's terminating NUL in the packet; the server ends the
// text there. A NUL anywhere else is punctuation the parser refuses, so such text is UNKNOWN.
function withoutTrailingNul(sql: string): string {
  return sql.replace(/\0+$/, '');
}

/** A fresh classification, no cache. Exported for the tests that compare the caches with it. */
export function classifyUncached(sql: string, server: ServerDialect | null = null): Classification {
  return classifyLexed(sql, lexMysql(withoutTrailingNul(sql), server));
}

const PREPARED_TEXT =
  "SQL PREPARE and EXECUTE run text Vigil cannot see; use the protocol's prepared statements";

function classifyLexed(sql: string, lexed: LexResult): Classification {
  if (lexed.uncertain)
    return { statements: [unknown(sql)], tokens: [], uncertain: null, unreadable: lexed.uncertain };
  if (lexed.unterminated || lexed.statements.length === 0) {
    return { statements: [unknown(sql)], tokens: lexed.statements.map((s) => s.tokens), uncertain: null };
  }
  let uncertain: string | null = null;
  const statements = lexed.statements.map((s) => {
    const first = s.tokens[0]?.text ?? '';
    if (
      first === 'prepare' ||
      first === 'execute' ||
      (first === 'deallocate' && s.tokens[1]?.text === 'prepare')
    ) {
      if (first !== 'deallocate') uncertain = PREPARED_TEXT;
      return { ...unknown(s.text), kind: first === 'deallocate' ? 'DEALLOCATE' : first.toUpperCase() };
    }
    // A KILL names a connection id the proxy maps (kill-statement.ts); the parser does not know it.
    if (first === 'kill') return { ...unknown(s.text), kind: KILL_KIND };
    const nesting = parenthesisDepth(s.tokens);
    if (nesting > MAX_PARSED_NESTING) {
      uncertain ??= tooDeep(nesting);
      return unknown(s.text);
    }
    return classifyOne(s.text, s.tokens);
  });
  return { statements, tokens: lexed.statements.map((s) => s.tokens), uncertain };
}

/**
 * node-sql-parser (a PEG parser without memoization) takes time exponential in the nesting of some
 * parentheses: a join group or a subquery after JOIN (`t JOIN (t JOIN (… ) ON 1) ON 1`), a
 * parenthesized argument of CAST, CONVERT or SUBSTRING. Sixteen levels, 315 bytes, held the
 * gateway's one thread for 29 s, and each level about doubles it; until 7 December any client could
 * stall every session of the gateway with one statement. Eight levels cost at most a few tenths of
 * a second on a loaded machine; a deeper statement is not parsed: it is refused as one Vigil
 * cannot judge (or forwarded as UNKNOWN where unknown statements are allowed).
 */
export const MAX_PARSED_NESTING = 8;

function parenthesisDepth(tokens: readonly Token[]): number {
  let depth = 0;
  let max = 0;
  for (const t of tokens) {
    if (t.kind !== 'punct') continue;
    if (t.text === '(') max = Math.max(max, ++depth);
    else if (t.text === ')') depth--;
  }
  return max;
}

const tooDeep = (nesting: number) =>
  `the statement nests parentheses ${nesting} deep; Vigil parses MySQL statements nested at most ${MAX_PARSED_NESTING} deep (the parser's time grows exponentially with nesting)`;

function classifyOne(text: string, tokens: readonly Token[]): ClassifiedStatement {
  let parsed: { ast: unknown; tableList: string[] };
  try {
    parsed = parser().parse(text, OPTIONS) as { ast: unknown; tableList: string[] };
  } catch {
    // Syntax the server runs and the parser refuses, respelled for the parser (parser-spelling.ts).
    const respelled = parserSpelling(text);
    try {
      if (respelled === null) throw new Error('no other spelling');
      parsed = parser().parse(respelled, OPTIONS) as { ast: unknown; tableList: string[] };
    } catch {
      return fallback(text, tokens);
    }
  }
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
    implied: impliedStatementsOf(ast, parsed.tableList, lost),
  };
}

/** Statements the parser does not know whose kind their first words settle. */
function fallback(text: string, tokens: readonly Token[]): ClassifiedStatement {
  const [a, b, c] = tokens.map((t) => t.text);
  const words = tokens.every((t) => t.kind !== 'punct' || t.text === ',' || t.text === '.' || t.text === '=');
  if (a === 'show' && !tokens.some((t) => t.kind === 'punct' && t.text === '(')) return read(text, 'SHOW');
  if (words && a === 'set' && (b === 'names' || (b === 'character' && c === 'set') || b === 'charset'))
    return read(text, 'SET');
  if (a === 'set' && sessionAssignments(tokens)) return read(text, 'SET');
  // DDL on a whole database names no table: its kind is all a guardrail needs.
  if ((a === 'drop' || a === 'create' || a === 'alter') && (b === 'database' || b === 'schema'))
    return { ...unknown(text), kind: a.toUpperCase() };
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
