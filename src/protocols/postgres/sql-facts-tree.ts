// Small readers over libpg-query's JSON parse tree, shared by the fact extractors. A node appears
// either wrapped under its type ({FuncCall: {...}}) or bare under a field name (`relation`,
// `setstmt`, `funccall`), so visitors get the key a node sits under and decide by that.

export type Node = Record<string, unknown>;

/** Visits every object below `value` with the key it sits under; returning false skips its subtree. */
export function walk(value: unknown, visit: (key: string, node: Node) => boolean | undefined): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // for...in over a parsed JSON object: its own keys, without the array Object.entries allocates
  // for every node (the walk runs several times per statement on the data path).
  const node = value as Node;
  for (const key in node) {
    const child = node[key];
    if (child === null || typeof child !== 'object') continue;
    if (!Array.isArray(child) && visit(key, child as Node) === false) continue;
    walk(child, visit);
  }
}

/** Like walk, but the root (a statement, under its node type) is visited too. */
export function walkFrom(rootType: string, root: Node, visit: (key: string, node: Node) => unknown): void {
  visit(rootType, root);
  walk(root, (key, node) => {
    visit(key, node);
    return true;
  });
}

export function asNode(value: unknown): Node | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : undefined;
}

/** The strings of a name list ([{String: {sval}}, ...]), as in funcname or TypeName.names. */
export function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const sval = asNode(asNode(item)?.String)?.sval;
    return typeof sval === 'string' ? sval : '';
  });
}

/** The last part of a qualified name, lower-cased: `pg_catalog.PG_READ_FILE` → `pg_read_file`. */
export function unqualifiedName(list: unknown): string | null {
  const names = namesOf(list);
  const last = names[names.length - 1];
  return last ? last.toLowerCase() : null;
}

/** A constant's text as the server would read it (null for NULL), or undefined when not a constant. */
export type Constant = { readonly text: string | null } | undefined;

/** Types whose cast leaves a string constant as written (no length limit, no reformatting). */
const TEXT_TYPES = new Set(['text', 'varchar']);

/**
 * The value of an A_Const (wrapped or bare), or of a cast of one to text. Other expressions, typed
 * literals the server would reformat (interval, char(n)) and parameters ($1) are not constants.
 */
export function constantOf(value: unknown): Constant {
  const wrapper = asNode(value);
  if (!wrapper) return undefined;
  const cast = asNode(wrapper.TypeCast);
  if (cast) {
    const type = asNode(cast.typeName);
    const typeName = unqualifiedName(type?.names);
    if (!typeName || !TEXT_TYPES.has(typeName) || type?.typmods !== undefined || type?.arrayBounds)
      return undefined;
    return constantOf(cast.arg);
  }
  const c = asNode(wrapper.A_Const);
  if (!c) return undefined;
  if (c.isnull === true) return { text: null };
  // libpg-query leaves out zero and empty fields: {ival: {}} is 0, {sval: {}} is ''.
  if (c.sval !== undefined) return { text: stringField(c.sval, 'sval') ?? '' };
  if (c.ival !== undefined) return { text: String(asNode(c.ival)?.ival ?? 0) };
  if (c.fval !== undefined) return { text: stringField(c.fval, 'fval') ?? '0' };
  if (c.boolval !== undefined) return { text: asNode(c.boolval)?.boolval === true ? 'true' : 'false' };
  if (c.bsval !== undefined) return { text: stringField(c.bsval, 'bsval') ?? '' };
  return undefined;
}

function stringField(value: unknown, field: string): string | undefined {
  const v = asNode(value)?.[field];
  return typeof v === 'string' ? v : undefined;
}
