// Classifies SQL with the real PostgreSQL parser (libpg-query, WASM): one entry per statement of
// a multi-statement string, plus one per data-modifying statement nested inside another (a
// `WITH ... DELETE` CTE, `EXPLAIN ANALYZE UPDATE`), so a guard cannot be walked around by nesting.
import { loadModule, parseSync } from 'libpg-query';
import type { JsonObject } from '../../core/events.js';
import { READ_ONLY_KINDS } from '../../policy/sql-kinds.js';

export interface StatementClass extends JsonObject {
  /** SELECT, INSERT, UPDATE, DELETE, DROP, TRUNCATE, ALTER, CREATE, GRANT, REVOKE, COPY, ... or UNKNOWN. */
  kind: string;
  /** For UPDATE and DELETE: whether a WHERE clause bounds the rows (MERGE counts its join condition). */
  hasWhere: boolean;
  tables: string[];
  /** Whether the statement may change data or schema (what a read-only connection refuses). */
  writes: boolean;
  /** True for a data-modifying statement found inside another one. */
  nested: boolean;
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
};

type Node = Record<string, unknown>;

function kindOf(nodeType: string, node: Node): string {
  if (nodeType === 'GrantStmt' || nodeType === 'GrantRoleStmt') return node.is_grant ? 'GRANT' : 'REVOKE';
  if (nodeType === 'SelectStmt' && node.intoClause) return 'CREATE';
  const known = KIND_BY_NODE[nodeType];
  if (known) return known;
  if (nodeType.startsWith('Create')) return 'CREATE';
  if (nodeType.startsWith('Alter')) return 'ALTER';
  return nodeType.replace(/Stmt$/, '').toUpperCase();
}

/** Walks every object in the tree with the key it sits under (a node type, or a field such as `relation`). */
function walk(value: unknown, visit: (type: string, node: Node) => boolean | undefined): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Node)) {
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      if (visit(key, child as Node) === false) continue;
    }
    walk(child, visit);
  }
}

function tablesOf(root: Node): string[] {
  const ctes = new Set<string>();
  const tables = new Set<string>();
  walk(root, (type, node) => {
    if (type === 'CommonTableExpr' && typeof node.ctename === 'string') ctes.add(node.ctename);
    return true;
  });
  walk(root, (type, node) => {
    // A RangeVar appears wrapped ({RangeVar: ...}) or directly as a statement's relation.
    const isRangeVar = type === 'RangeVar' || type === 'relation' || type === 'rel';
    if (isRangeVar && typeof node.relname === 'string') {
      const name = typeof node.schemaname === 'string' ? `${node.schemaname}.${node.relname}` : node.relname;
      if (!ctes.has(name)) tables.add(name);
    }
    return true;
  });
  // DROP names its objects as lists of strings rather than RangeVars.
  if (Array.isArray(root.objects)) {
    for (const o of root.objects as Node[]) {
      const items = (o.List as Node | undefined)?.items;
      if (Array.isArray(items)) {
        tables.add(items.map((i) => ((i as Node).String as Node | undefined)?.sval ?? '').join('.'));
      }
    }
  }
  return [...tables];
}

function classifyNode(nodeType: string, node: Node, nested: boolean): StatementClass {
  const kind = kindOf(nodeType, node);
  const hasWhere = kind === 'UPDATE' || kind === 'DELETE' ? node.whereClause !== undefined : kind === 'MERGE';
  let writes = !READ_ONLY.has(kind);
  // COPY TO STDOUT only reads; COPY FROM, or to a server-side file or program, writes.
  if (kind === 'COPY') writes = Boolean(node.is_from || node.filename || node.is_program);
  if (kind === 'TRANSACTION' && Array.isArray(node.options)) {
    // BEGIN READ WRITE would lift a read-only default.
    writes = (node.options as Node[]).some((o) => {
      const def = o.DefElem as Node | undefined;
      const ival = ((def?.arg as Node | undefined)?.A_Const as Node | undefined)?.ival as Node | undefined;
      return def?.defname === 'transaction_read_only' && !ival?.ival;
    });
  }
  return { kind, hasWhere, tables: tablesOf(node), writes, nested };
}

export const UNKNOWN_STATEMENT: Readonly<StatementClass> = Object.freeze({
  kind: 'UNKNOWN',
  hasWhere: false,
  tables: [],
  writes: true,
  nested: false,
});

export class SqlClassifier {
  readonly #cache = new Map<string, StatementClass[]>();
  readonly #cacheSize: number;

  private constructor(cacheSize: number) {
    this.#cacheSize = cacheSize;
  }

  /** Loads the parser (once per process; later calls reuse it). */
  static async create(cacheSize = 2048): Promise<SqlClassifier> {
    await loadModule();
    return new SqlClassifier(cacheSize);
  }

  /** One entry per statement (nested writes follow their statement); UNKNOWN when the SQL does not parse. */
  classify(sql: string): StatementClass[] {
    const cached = this.#cache.get(sql);
    if (cached) return cached;
    const result = this.#classify(sql);
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(sql, result);
    return result;
  }

  #classify(sql: string): StatementClass[] {
    let tree: { stmts?: { stmt?: Node }[] };
    if (sql.trim() === '') return [];
    try {
      tree = parseSync(sql) as typeof tree;
    } catch {
      return [{ ...UNKNOWN_STATEMENT, tables: [] }];
    }
    const out: StatementClass[] = [];
    for (const { stmt } of tree.stmts ?? []) {
      const [nodeType, node] = Object.entries(stmt ?? {})[0] ?? [];
      if (!nodeType || !node) continue;
      out.push(classifyNode(nodeType, node as Node, false));
      walk(node, (type, child) => {
        const write = NESTED_WRITES[type];
        if (write) out.push(classifyNode(type, child, true));
        return true;
      });
    }
    return out;
  }
}
