// Relations a statement names in a string rather than as a table reference: the regclass text of
// `nextval('billing.invoice_seq')`, `setval(...)`, `pg_relation_size('payroll')`,
// `'billing.invoices'::regclass` and the like. The server resolves such a text as it resolves a
// table name (split at dots, unquoted parts folded, then the search_path), and a sequence, an
// index or a view is a relation as a table is, so a `tables` rule must see these names too: a
// rule denying `billing.*` holds `SELECT setval('billing.invoice_seq', 1)`.
// Constant texts are read here; a bound parameter (`nextval($1)`, `$1::regclass`) is read with the
// value the Execute binds (query-payloads.ts), which named no table until 6 December, so a rule
// denying `billing.*` let `SELECT setval($1, 1)` with `billing.invoice_seq` through. A name computed
// from a column or an expression, or an OID, is not seen.
import { tableName } from '../../policy/table-patterns.js';
import { asNode, constantOf, type Node, unqualifiedName, walk } from './sql-facts-tree.js';

/**
 * Functions whose first argument is a relation, as regclass or as a text the server reads the same
 * way (to_regclass, pg_get_serial_sequence, pgstattuple's text form, get_raw_page). Matched by name
 * without schema, as functionsOf matches them.
 */
const RELATION_FUNCTIONS = new Set([
  // sequences
  'nextval',
  'currval',
  'setval',
  'pg_sequence_last_value',
  'pg_get_serial_sequence',
  // sizes, files, definitions
  'pg_relation_size',
  'pg_total_relation_size',
  'pg_table_size',
  'pg_indexes_size',
  'pg_relation_filenode',
  'pg_relation_filepath',
  'pg_relation_is_updatable',
  'pg_get_viewdef',
  'to_regclass',
  // contrib: pg_prewarm, pgstattuple, pg_visibility, pg_freespacemap, pageinspect, amcheck, pg_surgery
  'pg_prewarm',
  'pgstattuple',
  'pgstattuple_approx',
  'pgstatindex',
  'pgstatginindex',
  'pgstathashindex',
  'pg_relpages',
  'pg_visibility',
  'pg_visibility_map',
  'pg_visibility_map_summary',
  'pg_check_frozen',
  'pg_check_visible',
  'pg_truncate_visibility_map',
  'pg_freespace',
  'get_raw_page',
  'bt_metap',
  'bt_page_stats',
  'bt_multi_page_stats',
  'bt_page_items',
  'bt_index_check',
  'bt_index_parent_check',
  'verify_heapam',
  'heap_force_kill',
  'heap_force_freeze',
]);

/** PostgreSQL keeps the first NAMEDATALEN - 1 (63) bytes of a name, cut at a character boundary. */
function truncated(part: string): string {
  if (Buffer.byteLength(part) <= 63) return part;
  let out = '';
  for (const ch of part) {
    if (Buffer.byteLength(out + ch) > 63) break;
    out += ch;
  }
  return out;
}

/**
 * The parts of a relation name written as text, read as PostgreSQL's regclass input reads it
 * (stringToQualifiedNameList): parts split at dots, blanks around them skipped, a double-quoted
 * part kept as written (`""` for a quote), an unquoted one folded to lower case (ASCII letters,
 * as in a UTF-8 database), each cut to 63 bytes. Null for an OID, `-`, or a text the server would refuse.
 */
export function regclassTextParts(text: string): string[] | null {
  if (/^\s*\d+\s*$/.test(text) || text.trim() === '-') return null;
  const parts: string[] = [];
  let i = 0;
  const skipBlanks = () => {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
  };
  skipBlanks();
  if (i === text.length) return null;
  for (;;) {
    let part = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        const end = text.indexOf('"', i);
        if (end === -1) return null;
        part += text.slice(i, end);
        i = end + 1;
        if (text[i] !== '"') break;
        part += '"';
        i += 1;
      }
      if (part === '') return null;
    } else {
      const start = i;
      while (i < text.length && text[i] !== '.' && !/\s/.test(text[i]!)) i += 1;
      if (i === start) return null;
      part = text.slice(start, i).replace(/[A-Z]/g, (c) => c.toLowerCase());
    }
    parts.push(truncated(part));
    skipBlanks();
    if (i === text.length) break;
    if (text[i] !== '.') return null;
    i += 1;
    skipBlanks();
  }
  return parts.length <= 3 ? parts : null;
}

/** The relation a regclass-typed constant names (`'x'`, `'x'::regclass`, `'x'::text`), or null. */
function relationOf(arg: unknown): string | null {
  let node = asNode(arg);
  const named = asNode(node?.NamedArgExpr);
  if (named) node = asNode(named.arg);
  const cast = asNode(node?.TypeCast);
  if (cast && unqualifiedName(asNode(cast.typeName)?.names) === 'regclass') node = asNode(cast.arg);
  const c = constantOf(node);
  if (c === undefined || c.text === null) return null;
  const parts = regclassTextParts(c.text);
  return parts === null ? null : tableName(parts);
}

/** Each argument below `root` that the server reads as a relation: a regclass cast's, a relation function's first. */
function eachRelationArgument(root: Node, visit: (arg: unknown) => void): void {
  walk(root, (key, node) => {
    if (key === 'TypeCast' && unqualifiedName(asNode(node.typeName)?.names) === 'regclass') visit(node.arg);
    else if (key === 'FuncCall') {
      const name = unqualifiedName(node.funcname);
      const args = Array.isArray(node.args) ? node.args : [];
      if (name && RELATION_FUNCTIONS.has(name) && args.length > 0) visit(args[0]);
    }
    return true;
  });
}

/** The relations named by regclass texts anywhere below `root`. */
export function relationTextsOf(root: Node): string[] {
  const found = new Set<string>();
  eachRelationArgument(root, (arg) => {
    const name = relationOf(arg);
    if (name !== null) found.add(name);
  });
  return [...found];
}

/** The number of a parameter (`$1`, `$1::text`, `$1::regclass`), or null. */
function paramOf(arg: unknown): number | null {
  let node = asNode(arg);
  const named = asNode(node?.NamedArgExpr);
  if (named) node = asNode(named.arg);
  for (let casts = 0; casts < 4 && asNode(node?.TypeCast); casts++)
    node = asNode(asNode(node?.TypeCast)?.arg);
  const n = asNode(node?.ParamRef)?.number;
  return typeof n === 'number' && n > 0 ? n : null;
}

/** The parameters below `root` whose bound text names a relation, as relationTextsOf's constants do. */
export function relationParamsOf(root: Node): number[] {
  const found = new Set<number>();
  eachRelationArgument(root, (arg) => {
    const n = paramOf(arg);
    if (n !== null) found.add(n);
  });
  return [...found].sort((a, b) => a - b);
}

/** The relation a bound parameter's value names, read as a regclass text (null for an OID or binary). */
export function boundRelation(value: unknown): string | null {
  if (typeof value !== 'string' || value.startsWith('\\x')) return null;
  const parts = regclassTextParts(value);
  return parts === null ? null : tableName(parts);
}
