// Classifies MySQL statements for the guardrails: one StatementFacts (core/db-payloads.ts) per
// statement of a multi-statement string, read as the server will read them (sql-lexer.ts splits
// the string and unwraps executable comments; node-sql-parser in its MySQL mode parses each piece,
// statement-facts.ts reads the facts). SQL-level PREPARE and EXECUTE run text Vigil cannot see:
// they are marked so the proxy refuses them unless unknown statements are allowed, and recorded as
// reading every table for where they are.
// Two entries: `classifyMysqlOffThread` for the gateway, which parses in worker threads within a
// time limit (parser-pool.ts), and `classifyMysql`, which parses in process, for `vigil policy
// test` and tests. Both share the caches below.
import type { StatementFacts } from '../../core/db-payloads.js';
import { type ErrorCode, toVigilError } from '../../core/errors.js';
import { everyTableRead } from './every-table-read.js';
import type { ParserPool } from './parser-pool.js';
import { type LexResult, lexMysql, type Token } from './sql-lexer.js';
import { type ClassifiedStatement, KILL_KIND, statementFacts, unknown } from './statement-facts.js';
import { type ParsedStatement, parseStatement } from './statement-parser.js';
import { probeText, statementShape } from './statement-shape.js';
import type { ServerDialect } from './version-comments.js';

export { type ClassifiedStatement, KILL_KIND, setReachesOthers, UNKNOWN_KIND } from './statement-facts.js';

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
  /**
   * Why a parse did not finish within its time limit (parser-pool.ts): refused with
   * statement_too_complex even where unknown statements are allowed (fail closed). Never cached.
   */
  readonly tooComplex?: string;
  /** The code of that refusal when it is not statement_too_complex (parser_queue_full). */
  readonly parseRefusal?: ErrorCode;
}

/** How the gateway parses: through its worker pool, with the connection's time limit. */
export interface OffThreadParsing {
  readonly pool: ParserPool;
  readonly limitMs: number;
  /** Whose turn a parse waits for (parser-pool.ts): the connection's identity. */
  readonly owner?: string;
  /** How many of the owner's parses may wait at once (parse_queue_per_identity). */
  readonly maxWaiting?: number;
}

/**
 * node-sql-parser takes about a millisecond per statement (bench/mysql), most of Vigil's CPU per
 * statement; the classification depends on the text alone, so repeated texts (an application's
 * statements, prepared or not) are classified once. Texts that differ only in plain literals share
 * one classification by their shape (statement-shape.ts), checked when first seen: a shape is kept
 * only if other literal values classify the same. Both caches are bounded in entries and text
 * length. On the gateway they also keep most statements from ever reaching a parser worker.
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
 * when the server is not known, as in `vigil policy test`. Parses in process.
 */
export function classifyMysql(sql: string, server: ServerDialect | null = null): Classification {
  if (sql.length > CACHE_TEXT_CHARS) return classifyUncached(sql, server);
  const key = cacheKey(sql, server);
  return recall(cache, key) ?? remembered(key, classifyByShape(sql, server));
}

/**
 * No synchronous parse on the gateway, however short or shallow the text: the parser's slow cases
 * are in its grammar, not in a length or depth Vigil could check cheaply, and a parse in a worker
 * also leaves the thread every session shares free. The caches answer most statements at once.
 */
export async function classifyMysqlOffThread(
  sql: string,
  server: ServerDialect | null,
  parsing: OffThreadParsing,
): Promise<Classification> {
  if (sql.length > CACHE_TEXT_CHARS)
    return classifyLexedOff(sql, lexMysql(withoutTrailingNul(sql), server), parsing);
  // Its own keys: the gateway parses deeper nesting than an in-process parse (the two caps below).
  const key = `g${cacheKey(sql, server)}`;
  const hit = recall(cache, key);
  if (hit) return hit;
  const text = withoutTrailingNul(sql);
  const lexed = lexMysql(text, server);
  const shape = statementShape(text, lexed);
  const known = shape === null ? null : recall(shapes, shape);
  if (known) return remembered(key, fromShape(lexed, known));
  const fresh = await classifyLexedOff(sql, lexed, parsing);
  if (shape !== null && known === undefined && !fresh.tooComplex) {
    const probe = await classifyLexedOff(probeText(lexed), lexMysql(probeText(lexed), null), parsing);
    if (!probe.tooComplex)
      remember(shapes, shape, sameFacts(fresh, probe) ? fresh.statements.map(factsOf) : null);
  }
  return fresh.tooComplex ? fresh : remembered(key, fresh);
}

function remembered(key: string, c: Classification): Classification {
  remember(cache, key, c);
  return c;
}

// The server is part of the key: one text reads differently on two servers.
const cacheKey = (sql: string, server: ServerDialect | null) =>
  `${server ? `${server.mariadb ? 'm' : 'o'}${server.version}` : '-'}\0${sql}`;

/** Shapes hold no comment (statement-shape.ts), so their facts do not depend on the server. */
function classifyByShape(sql: string, server: ServerDialect | null): Classification {
  const text = withoutTrailingNul(sql);
  const lexed = lexMysql(text, server);
  const shape = statementShape(text, lexed);
  if (shape === null) return classifyHere(sql, lexed);
  const known = recall(shapes, shape);
  if (known === null) return classifyHere(sql, lexed);
  if (known) return fromShape(lexed, known);
  const fresh = classifyHere(sql, lexed);
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

/** A fresh classification parsed in process, no cache. Exported for the tests that compare the caches with it. */
export function classifyUncached(sql: string, server: ServerDialect | null = null): Classification {
  return classifyHere(sql, lexMysql(withoutTrailingNul(sql), server));
}

function classifyHere(sql: string, lexed: LexResult): Classification {
  const plan = planClassification(sql, lexed, MAX_PARSED_NESTING);
  return finish(
    plan,
    plan.pending.map((p) => parseStatement(p.text)),
  );
}

async function classifyLexedOff(
  sql: string,
  lexed: LexResult,
  parsing: OffThreadParsing,
): Promise<Classification> {
  const plan = planClassification(sql, lexed, MAX_OFF_THREAD_NESTING);
  if (plan.pending.length === 0) return plan.classification;
  // One after another, stopping at the first refusal: a text of many statements holds one place
  // in the parser queue at a time, as a connection does.
  const parses: (ParsedStatement | null)[] = [];
  try {
    for (const p of plan.pending)
      parses.push(await parsing.pool.parse(p.text, parsing.limitMs, parsing.owner, parsing.maxWaiting));
  } catch (err) {
    // A parse that did not finish is refused, whatever stopped it (fail closed).
    const refusal = toVigilError(err);
    return {
      ...plan.classification,
      statements: [unknown(sql)],
      tooComplex: refusal.message,
      ...(refusal.code === 'statement_too_complex' ? {} : { parseRefusal: refusal.code }),
    };
  }
  return finish(plan, parses);
}

/** What a statement that runs text Vigil cannot see may read: every table (table-patterns.ts). */
const READS_EVERY_TABLE: StatementFacts = everyTableRead();

const PREPARED_TEXT =
  "SQL PREPARE and EXECUTE run text Vigil cannot see; use the protocol's prepared statements";

/** A classification whose statements at `pending` (UNKNOWN for now) wait for their parse. */
interface Plan {
  readonly classification: Classification;
  readonly pending: readonly {
    readonly index: number;
    readonly text: string;
    readonly tokens: readonly Token[];
  }[];
}

function finish(plan: Plan, parses: readonly (ParsedStatement | null)[]): Classification {
  if (plan.pending.length === 0) return plan.classification;
  const statements = [...plan.classification.statements];
  plan.pending.forEach((p, i) => {
    statements[p.index] = statementFacts(p.text, p.tokens, parses[i] ?? null);
  });
  return { ...plan.classification, statements };
}

function planClassification(sql: string, lexed: LexResult, maxNesting: number): Plan {
  const done = (classification: Classification): Plan => ({ classification, pending: [] });
  if (lexed.uncertain)
    return done({ statements: [unknown(sql)], tokens: [], uncertain: null, unreadable: lexed.uncertain });
  if (lexed.unterminated || lexed.statements.length === 0)
    return done({
      statements: [unknown(sql)],
      tokens: lexed.statements.map((s) => s.tokens),
      uncertain: null,
    });
  let uncertain: string | null = null;
  const pending: Plan['pending'][number][] = [];
  const statements = lexed.statements.map((s, index) => {
    const first = s.tokens[0]?.text ?? '';
    if (
      first === 'prepare' ||
      first === 'execute' ||
      (first === 'deallocate' && s.tokens[1]?.text === 'prepare')
    ) {
      if (first === 'deallocate') return { ...unknown(s.text), kind: 'DEALLOCATE' };
      uncertain = PREPARED_TEXT;
      // Where unknown statements are allowed it runs all the same, and may read any table: a rule
      // on reading one holds it (until 7 December `EXECUTE IMMEDIATE 'SELECT * FROM payroll'` read
      // payroll past such a rule).
      return { ...unknown(s.text), kind: first.toUpperCase(), implied: [READS_EVERY_TABLE] };
    }
    // A KILL names a connection id the proxy maps (kill-statement.ts); the parser does not know it.
    if (first === 'kill') return { ...unknown(s.text), kind: KILL_KIND };
    const nesting = parenthesisDepth(s.tokens);
    if (nesting > maxNesting) {
      uncertain ??= tooDeep(nesting, maxNesting);
      return unknown(s.text);
    }
    pending.push({ index, text: s.text, tokens: s.tokens });
    return unknown(s.text);
  });
  return {
    classification: { statements, tokens: lexed.statements.map((s) => s.tokens), uncertain },
    pending,
  };
}

/**
 * node-sql-parser (a PEG parser without memoization) takes time exponential in the nesting of some
 * parentheses: a join group or a subquery after JOIN (`t JOIN (t JOIN (… ) ON 1) ON 1`), a
 * parenthesized argument of CAST, CONVERT or SUBSTRING. Sixteen levels, 315 bytes, held the
 * gateway's one thread for 29 s, and each level about doubles it; until 7 December any client could
 * stall every session of the gateway with one statement. In process (`vigil policy test`), eight
 * levels cost at most a few tenths of a second; a deeper statement is not parsed: it is UNKNOWN and
 * uncertain (refused, or forwarded as UNKNOWN where unknown statements are allowed).
 */
export const MAX_PARSED_NESTING = 8;
/**
 * On the gateway the time limit bounds every parse, so the cap only spares the workers statements
 * that could not finish in time anyway: bench/mysql/parser-nesting.ts measured 67 ms for 12 join
 * groups and 144 ms for 12 joined subqueries (the 250 ms default holds both), while a CAST nested
 * 10 deep takes over a second and is refused by the limit. Shapes the parser reads in linear time
 * (function calls, arithmetic) parse in well under a millisecond at any of these depths.
 */
export const MAX_OFF_THREAD_NESTING = 12;

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

const tooDeep = (nesting: number, max: number) =>
  `the statement nests parentheses ${nesting} deep; Vigil parses MySQL statements nested at most ${max} deep (the parser's time grows exponentially with nesting)`;
