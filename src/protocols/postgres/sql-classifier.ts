// Classifies SQL with the real PostgreSQL parser (libpg-query, WASM): one entry per statement of
// a multi-statement string, plus one per data-modifying statement nested inside another (a
// `WITH ... DELETE` CTE, `EXPLAIN ANALYZE UPDATE`, a MERGE's WHEN ... THEN DELETE, an upsert's
// DO UPDATE), and one nested SELECT for the tables a statement that is not a SELECT reads rows of
// (INSERT ... SELECT, COPY ... TO, DECLARE CURSOR: sql-facts-reads.ts), so a guard cannot be walked
// around by nesting.
// The statements in the body of a LANGUAGE sql function are entries too (nested): creating the
// function is when a guard can still read them. So are the queries a call runs from a text
// argument (query_to_xml, ts_stat: sql-facts-dynamic.ts; dblink: sql-facts-dblink.ts), UNKNOWN
// when that text is computed.
import { loadModule, parseSync } from 'libpg-query';
import type { StatementFacts } from '../../core/db-payloads.js';
import { READ_ONLY_KINDS, type StatementFlag } from '../../policy/sql-kinds.js';
import { EVERY_TABLE } from '../../policy/table-patterns.js';
import { liftsReadOnly } from './read-only-settings.js';
import { containedStatements } from './sql-facts-contained.js';
import { dblinkSqlOf } from './sql-facts-dblink.js';
import { dynamicSqlOf } from './sql-facts-dynamic.js';
import { flagsOf, functionLanguage } from './sql-facts-flags.js';
import { functionsOf } from './sql-facts-functions.js';
import { mergeActionsOf } from './sql-facts-merge.js';
import { tablesReadBy } from './sql-facts-reads.js';
import { mayRunByName, type NamedReferences, namedReferencesOf } from './sql-facts-references.js';
import { relationParamsOf } from './sql-facts-relations.js';
import { type SettingChange, settingsOf } from './sql-facts-settings.js';
import { callsWritingFunction, statementKindsCalled } from './sql-facts-side-effects.js';
import { tablesOf } from './sql-facts-tables.js';
import { asNode, type Node, walk } from './sql-facts-tree.js';
import { upsertUpdateOf } from './sql-facts-upsert.js';
import { whereBoundsRows } from './sql-facts-where.js';
import { pgStatementShape } from './statement-shape.js';

export type { SettingChange } from './sql-facts-settings.js';

/**
 * The facts of one statement as core's db.query payload defines them (core/db-payloads.ts), with
 * the settings and flags typed as this parser produces them: `hasWhere` is true only when the
 * WHERE clause refers to a column or a cursor (sql-facts-where.ts; `WHERE true` does not), MERGE
 * counting its join condition; `settings` as in sql-facts-settings.ts; `flags` from STATEMENT_FLAGS
 * in src/policy/sql-kinds.ts.
 */
export interface StatementClass extends StatementFacts {
  settings: SettingChange[];
  flags: StatementFlag[];
  // `relationParams` (number[]), present only when there are some: parameters whose bound text names
  // a relation (`nextval($1)`, `$1::regclass`); the Execute adds the relations their values name to
  // `tables` (query-payloads.ts). (Not declared as an optional member: a JsonObject's members are JsonValues.)
}

const READ_ONLY = new Set<string>(READ_ONLY_KINDS);

const NESTED_WRITES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

const KIND_BY_NODE: Readonly<Record<string, string>> = {
  ...NESTED_WRITES,
  SelectStmt: 'SELECT',
  DropStmt: 'DROP',
  TruncateStmt: 'TRUNCATE',
  RenameStmt: 'ALTER',
  IndexStmt: 'CREATE',
  ViewStmt: 'CREATE',
  CreateTableAsStmt: 'CREATE',
  RuleStmt: 'CREATE',
  DefineStmt: 'CREATE',
  CopyStmt: 'COPY',
  TransactionStmt: 'TRANSACTION',
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  ExplainStmt: 'EXPLAIN',
  DeclareCursorStmt: 'DECLARE',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  VacuumStmt: 'VACUUM',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  LockStmt: 'LOCK',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  DiscardStmt: 'DISCARD',
  CommentStmt: 'COMMENT',
  // Statements the parser names otherwise that create, drop or alter as their own kinds do: until
  // 7 December `DROP DATABASE`, `DROP ROLE`, `DROP OWNED BY CURRENT_USER` (every object the role
  // owns) were DROPDB, DROPROLE, DROPOWNED, which neither `deny_statements: [DROP]` nor `strict`
  // held, and `IMPORT FOREIGN SCHEMA` (it creates foreign tables) and `CREATE TYPE … AS (…)` were
  // no CREATE.
  CompositeTypeStmt: 'CREATE',
  ImportForeignSchemaStmt: 'CREATE',
  ReassignOwnedStmt: 'ALTER',
};

function kindOf(nodeType: string, node: Node): string {
  if (nodeType === 'GrantStmt' || nodeType === 'GrantRoleStmt') return node.is_grant ? 'GRANT' : 'REVOKE';
  if (nodeType === 'SelectStmt' && node.intoClause) return 'CREATE';
  const known = KIND_BY_NODE[nodeType];
  if (known) return known;
  if (nodeType.startsWith('Create')) return 'CREATE';
  if (nodeType.startsWith('Drop')) return 'DROP';
  if (nodeType.startsWith('Alter')) return 'ALTER';
  return nodeType.replace(/Stmt$/, '').toUpperCase();
}

const PREPARED_FINISH = new Set(['TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_ROLLBACK_PREPARED']);

function classifyNode(nodeType: string, node: Node, nested: boolean): StatementClass {
  const kind = kindOf(nodeType, node);
  const hasWhere =
    kind === 'UPDATE' || kind === 'DELETE' ? whereBoundsRows(node.whereClause) : kind === 'MERGE';
  let writes = !READ_ONLY.has(kind);
  // COPY TO STDOUT only reads; COPY FROM, or to a server-side file or program, writes.
  if (kind === 'COPY') writes = Boolean(node.is_from || node.filename || node.is_program);
  // COMMIT PREPARED and ROLLBACK PREPARED finish a transaction another session prepared, writes
  // and all: on a read-only connection, that is changing data.
  if (kind === 'TRANSACTION' && PREPARED_FINISH.has(String(node.kind))) writes = true;
  else if (kind === 'TRANSACTION' && Array.isArray(node.options)) {
    // BEGIN READ WRITE would lift a read-only default.
    writes = (node.options as Node[]).some((o) => {
      const def = o.DefElem as Node | undefined;
      const ival = ((def?.arg as Node | undefined)?.A_Const as Node | undefined)?.ival as Node | undefined;
      return def?.defname === 'transaction_read_only' && !ival?.ival;
    });
  }
  const functions = functionsOf(nodeType, node);
  const settings = settingsOf(nodeType, node);
  // A SELECT of set_config() that turns the server's read-only default off may change data later.
  if (!writes && settings.some(liftsReadOnly)) writes = true;
  const flags = flagsOf(nodeType, node, functions, settings);
  // dblink sends its text to a session of its own, which a read-only connection does not make
  // read-only: whatever the text, it may change data.
  if (flags.includes('dblink')) writes = true;
  // lo_unlink(), pg_notify(), pg_create_physical_replication_slot() ... change data or the server's
  // state, and the server runs them in a read-only transaction (sql-facts-side-effects.ts).
  if (callsWritingFunction(functions)) writes = true;
  const relationParams = relationParamsOf(node);
  return {
    kind,
    hasWhere,
    tables: tablesOf(node),
    writes,
    nested,
    functions,
    settings,
    flags,
    ...(relationParams.length > 0 ? { relationParams } : {}),
  };
}

export const UNKNOWN_STATEMENT: Readonly<StatementClass> = Object.freeze({
  kind: 'UNKNOWN',
  hasWhere: false,
  tables: [],
  writes: true,
  nested: false,
  functions: [],
  settings: [],
  flags: [],
});

function unknownStatement(nested: boolean): StatementClass {
  return { ...UNKNOWN_STATEMENT, nested, tables: [], functions: [], settings: [], flags: [] };
}

type ParseTree = { stmts?: { stmt?: Node }[] };

/** The body of a LANGUAGE sql function given as a string (AS '...'), or null. */
function sqlFunctionBody(stmt: Node): string | null {
  if (functionLanguage(stmt) !== 'sql') return null;
  for (const o of Array.isArray(stmt.options) ? stmt.options : []) {
    const def = asNode(asNode(o)?.DefElem);
    const items = asNode(asNode(def?.arg)?.List)?.items;
    const body = Array.isArray(items) ? asNode(asNode(items[0])?.String)?.sval : undefined;
    if (def?.defname === 'as' && typeof body === 'string') return body;
  }
  return null;
}

/**
 * A CREATE TABLE AS, CREATE MATERIALIZED VIEW or SELECT ... INTO nested in another statement:
 * `EXPLAIN ANALYZE CREATE TABLE x AS SELECT ...` creates the table (PostgreSQL 15 does so even in a
 * read-only transaction), so it is a CREATE, not only an EXPLAIN.
 */
function createsTable(nodeType: string, node: Node): boolean {
  return nodeType === 'CreateTableAsStmt' || (nodeType === 'SelectStmt' && Boolean(node.intoClause));
}

/**
 * Entries for each statement of a parse tree, each followed by the writes nested in it and by the
 * statements of any sql function body it defines.
 */
function classifyTree(tree: ParseTree, nested: boolean): StatementClass[] {
  const out: StatementClass[] = [];
  for (const { stmt } of tree.stmts ?? []) {
    const [nodeType, node] = Object.entries(stmt ?? {})[0] ?? [];
    if (!nodeType || !node) continue;
    const entry = classifyNode(nodeType, node as Node, nested);
    out.push(entry, ...calledStatements(entry));
    out.push(...impliedWrites(nodeType, node as Node), ...readsOf(nodeType, node as Node));
    if (nodeType === 'CreateFunctionStmt') out.push(...classifyFunctionBody(node as Node));
    const contained = containedStatements(nodeType, node as Node);
    if (contained.length > 0) out.push(...classifyTree({ stmts: contained.map((stmt) => ({ stmt })) }, true));
    for (const text of [...dynamicSqlOf(node as Node), ...dblinkSqlOf(node as Node)])
      out.push(...classifyNestedText(text));
    walk(node, (type, child) => {
      if (NESTED_WRITES[type] || createsTable(type, child))
        out.push(classifyNode(type, child, true), ...readsOf(type, child));
      out.push(...impliedWrites(type, child));
      return true;
    });
  }
  return out;
}

/**
 * The writes a statement makes under another kind's name, as nested writes on its target: a
 * MERGE's UPDATE, DELETE and INSERT actions, an upsert's UPDATE.
 */
function impliedWrites(nodeType: string, node: Node): StatementClass[] {
  let actions: readonly { kind: string; hasWhere: boolean }[] = [];
  if (nodeType === 'MergeStmt') actions = mergeActionsOf(node);
  else if (nodeType === 'InsertStmt') {
    const update = upsertUpdateOf(node);
    if (update) actions = [{ kind: 'UPDATE', hasWhere: update.hasWhere }];
  }
  if (actions.length === 0) return [];
  const tables = tablesOf({ relation: node.relation });
  return actions.map(({ kind, hasWhere }) => ({
    kind,
    hasWhere,
    tables: [...tables],
    writes: true,
    nested: true,
    functions: [],
    settings: [],
    flags: [],
  }));
}

/** The statements its function calls spell otherwise (`SELECT pg_notify(...)` is a NOTIFY), as nested entries. */
function calledStatements(entry: StatementClass): StatementClass[] {
  return statementKindsCalled(entry.functions).map((kind) => ({
    ...unknownStatement(true),
    kind,
    writes: !READ_ONLY.has(kind),
  }));
}

/** The rows a statement that is not a SELECT reads, as the nested SELECT they amount to. */
function readsOf(nodeType: string, node: Node): StatementClass[] {
  const tables = tablesReadBy(nodeType, node);
  if (tables.length === 0) return [];
  return [
    {
      kind: 'SELECT',
      hasWhere: false,
      tables,
      writes: false,
      nested: true,
      functions: [],
      settings: [],
      flags: [],
    },
  ];
}

function classifyFunctionBody(stmt: Node): StatementClass[] {
  const body = sqlFunctionBody(stmt);
  return body === null ? [] : classifyNestedText(body);
}

/**
 * SQL text that runs later or elsewhere (a function body, a query_to_xml argument); null: computed
 * (`query_to_xml('SELECT * FROM pay' || 'roll', …)`) or opaque (`schema_to_xml('public', …)`).
 * Such a text, or one the parser cannot read, may read any table: it is UNKNOWN and a read of
 * EVERY_TABLE, which a rule that keeps a table from being read holds (unless UNKNOWN is refused,
 * these are forwarded; until 7 December `query_to_xml` of a computed text read past such a rule).
 */
function classifyNestedText(text: string | null): StatementClass[] {
  const opaque = () => [
    unknownStatement(true),
    { ...unknownStatement(true), kind: 'SELECT', tables: [EVERY_TABLE] },
  ];
  if (text === null) return opaque();
  if (text.trim() === '') return [];
  let tree: ParseTree;
  try {
    tree = parseSync(text) as ParseTree;
  } catch {
    // A text the parser cannot read is one nobody here can judge.
    return opaque();
  }
  return classifyTree(tree, true);
}

/**
 * Classifications are cached by text, and texts that differ only in plain literals share one by
 * their shape (statement-shape.ts): a parse costs tens of microseconds per statement, a shape a
 * few. A shape is kept only if the same text with other literal values classifies the same;
 * otherwise it is remembered as literal-dependent and its texts are parsed each time.
 */
export class SqlClassifier {
  readonly #cache = new Map<string, StatementClass[]>();
  /** Shape key → the classification its texts share, or null: it reads literal values. */
  readonly #shapes = new Map<string, StatementClass[] | null>();
  readonly #cacheSize: number;
  readonly #byShape: boolean;

  private constructor(cacheSize: number, byShape: boolean) {
    this.#cacheSize = cacheSize;
    this.#byShape = byShape;
  }

  /**
   * Loads the parser (once per process; later calls reuse it). `byShape: false` parses every new
   * text (for tests that compare the two).
   */
  static async create(cacheSize = 2048, options: { byShape?: boolean } = {}): Promise<SqlClassifier> {
    await loadModule();
    return new SqlClassifier(cacheSize, options.byShape ?? true);
  }

  /** One entry per statement (nested writes follow their statement); UNKNOWN when the SQL does not parse. */
  classify(sql: string): StatementClass[] {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const result = this.#byShape ? this.#classifyByShape(sql) : this.#classify(sql);
    this.#remember(this.#cache, sql, result);
    return result;
  }

  #classifyByShape(sql: string): StatementClass[] {
    const shape = pgStatementShape(sql);
    if (shape === null) return this.#classify(sql);
    const known = this.#shapes.get(shape.key);
    if (known === null) return this.#classify(sql);
    if (known) return known;
    const fresh = this.#classify(sql);
    // A text that does not parse says nothing of the others of its shape: where a literal is
    // syntax rather than a value, another literal can make it parse (and the probe may fail too).
    const parsed = !fresh.some((s) => s.kind === 'UNKNOWN');
    const same = parsed && JSON.stringify(fresh) === JSON.stringify(this.#classify(shape.probe));
    this.#remember(this.#shapes, shape.key, same ? fresh : null);
    return fresh;
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= this.#cacheSize) map.delete(map.keys().next().value as string);
    map.set(key, value);
  }

  /**
   * The prepared statements a string creates (PREPARE) and drops (DEALLOCATE; '*' for ALL), and
   * the cursors it declares, in order. Parsed again only for the rare strings whose classification
   * shows one of these kinds.
   */
  preparedNames(sql: string): { prepares: string[]; deallocates: string[]; declares: string[] } {
    const prepares: string[] = [];
    const deallocates: string[] = [];
    const declares: string[] = [];
    let tree: ParseTree;
    try {
      tree = parseSync(sql) as ParseTree;
    } catch {
      return { prepares, deallocates, declares };
    }
    for (const { stmt } of tree.stmts ?? []) {
      const prepare = asNode(stmt?.PrepareStmt);
      if (prepare && typeof prepare.name === 'string') prepares.push(prepare.name);
      const deallocate = asNode(stmt?.DeallocateStmt);
      if (deallocate)
        deallocates.push(deallocate.isall || typeof deallocate.name !== 'string' ? '*' : deallocate.name);
      const declare = asNode(stmt?.DeclareCursorStmt);
      if (declare && typeof declare.portalname === 'string') declares.push(declare.portalname);
    }
    return { prepares, deallocates, declares };
  }

  /** The statements and portals a string runs by name (EXECUTE, FETCH, MOVE), or null: none. */
  namedReferences(sql: string): NamedReferences | null {
    if (!mayRunByName(sql)) return null;
    let tree: ParseTree;
    try {
      tree = parseSync(sql) as ParseTree;
    } catch {
      return null; // the server refuses it too: nothing runs
    }
    const refs = namedReferencesOf(tree);
    return refs.executes.length > 0 || refs.fetches.length > 0 ? refs : null;
  }

  #classify(sql: string): StatementClass[] {
    let tree: ParseTree;
    if (sql.trim() === '') return [];
    try {
      tree = parseSync(sql) as ParseTree;
    } catch {
      return [unknownStatement(false)];
    }
    return classifyTree(tree, false);
  }
}
