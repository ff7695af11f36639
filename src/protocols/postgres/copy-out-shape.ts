// What Vigil can know, before the server answers, of the lines a `COPY … TO STDOUT` sends: how they
// are written (text, csv or binary, with the statement's DELIMITER, NULL, QUOTE, ESCAPE and HEADER)
// and the names of their columns. The server's CopyOutResponse says only text or binary and how
// many columns; it never names them. Names are taken only where the statement makes them certain:
// a column list (`COPY payroll (id, password) TO STDOUT`), or a query's select list of bare column
// references of plain tables (`COPY (SELECT id, password FROM payroll) TO STDOUT`). A bare table
// (`\copy payroll to stdout`), a star, an alias, an expression or a derived table leaves a column's
// name unknown (null), and copy-out.ts then records none of its values (fail closed: a column named
// `password` must never be recorded as if it were not one).
import { parseSync } from 'libpg-query';
import { asNode, type Node } from './sql-facts-tree.js';

export interface CopyOutShape {
  readonly format: 'text' | 'csv' | 'binary';
  /** One entry per column, null where the name is not certain; null when not even their number is. */
  readonly columns: readonly (string | null)[] | null;
  /** One byte each; null where an option's value is not one Vigil can read (lines not decoded). */
  readonly delimiter: string | null;
  readonly nullText: string;
  readonly quote: string | null;
  readonly escape: string | null;
  readonly header: boolean;
}

/**
 * The shape of each top-level statement of `sql` that is a COPY TO STDOUT, by its index among the
 * string's statements (the index its result is recorded under); empty when the text does not parse.
 */
export function copyOutShapes(sql: string): Map<number, CopyOutShape> {
  const out = new Map<number, CopyOutShape>();
  let stmts: unknown[];
  try {
    stmts = ((parseSync(sql) as { stmts?: unknown[] }).stmts ?? []) as unknown[];
  } catch {
    return out;
  }
  stmts.forEach((s, i) => {
    const copy = asNode(asNode(asNode(s)?.stmt)?.CopyStmt);
    if (copy && !copy.is_from && !copy.filename && !copy.is_program) out.set(i, shapeOf(copy));
  });
  return out;
}

/** The shape of one COPY statement (either direction: a COPY FROM reads its data the same way). */
export function shapeOf(copy: Node): CopyOutShape {
  const options = new Map<string, unknown>();
  for (const o of Array.isArray(copy.options) ? copy.options : []) {
    const def = asNode(asNode(o)?.DefElem);
    if (typeof def?.defname === 'string') options.set(def.defname, def.arg);
  }
  const format = optionText(options, 'format')?.toLowerCase();
  const csv = format === 'csv';
  const kind = format === 'binary' ? 'binary' : csv ? 'csv' : format === 'text' || !format ? 'text' : null;
  const delimiter = oneByte(options, 'delimiter', csv ? ',' : '\t');
  const quote = csv ? oneByte(options, 'quote', '"') : '"';
  return {
    // A format Vigil does not know is read as binary: its size and hash only.
    format: kind ?? 'binary',
    columns: columnsOf(copy),
    delimiter,
    nullText: optionText(options, 'null') ?? (csv ? '' : '\\N'),
    quote,
    escape: csv ? oneByte(options, 'escape', quote ?? '"') : '\\',
    header: options.has('header') && headerOn(options.get('header')),
  };
}

function optionText(options: Map<string, unknown>, name: string): string | undefined {
  const sval = asNode(asNode(options.get(name))?.String)?.sval;
  return typeof sval === 'string' ? sval : undefined;
}

/** A one-byte option (the server refuses any other), or null when it is not one Vigil can read. */
function oneByte(options: Map<string, unknown>, name: string, fallback: string): string | null {
  if (!options.has(name)) return fallback;
  const text = optionText(options, name);
  return text !== undefined && Buffer.byteLength(text) === 1 ? text : null;
}

function headerOn(arg: unknown): boolean {
  if (arg === undefined) return true;
  const node = asNode(arg);
  if (node?.Boolean !== undefined) return asNode(node.Boolean)?.boolval === true;
  if (node?.Integer !== undefined) return asNode(node.Integer)?.ival !== undefined;
  const text = asNode(node?.String)?.sval;
  // Anything else the server accepts turns it on (true, on, 1); a header line is then expected.
  return (
    typeof text !== 'string' || !['false', 'off', '0', 'f', 'of', 'n', 'no'].includes(text.toLowerCase())
  );
}

/** The column names, or null; see the file's head for which are taken as certain. */
function columnsOf(copy: Node): (string | null)[] | null {
  if (Array.isArray(copy.attlist)) {
    return copy.attlist.map((a) => {
      const sval = asNode(asNode(a)?.String)?.sval;
      return typeof sval === 'string' ? sval : null;
    });
  }
  const select = asNode(asNode(copy.query)?.SelectStmt);
  // A WITH query's names may be anything its body renamed: `WITH x AS (SELECT password AS name …)`.
  if (!select || !Array.isArray(select.targetList) || select.withClause) return null;
  const from = Array.isArray(select.fromClause)
    ? select.fromClause.map((f) => asNode(asNode(f)?.RangeVar))
    : [];
  // A name the FROM list gives a relation: a column reference by it is the whole row (`SELECT payroll
  // FROM payroll`), every column of it in one cell named after the table.
  const relations = new Set(from.flatMap((r) => [r?.relname, asNode(r?.alias)?.aliasname]));
  const plainFrom = from.every((r) => r !== undefined);
  return select.targetList.map((t) => {
    const target = asNode(asNode(t)?.ResTarget);
    const fields = asNode(asNode(target?.val)?.ColumnRef)?.fields;
    if (!plainFrom || !Array.isArray(fields)) return null;
    const last = asNode(asNode(fields[fields.length - 1])?.String)?.sval;
    if (typeof last !== 'string' || relations.has(last)) return null; // a star, or a whole row
    // An alias names the column after something other than what it holds: unknown.
    return target?.name === undefined || target.name === last ? last : null;
  });
}
