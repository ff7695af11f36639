// The prepared statements and portals a SQL text runs by name. `EXECUTE s` runs a prepared
// statement and `FETCH`/`MOVE` run a portal, wherever they sit (`EXPLAIN ANALYZE EXECUTE s`,
// `CREATE TABLE x AS EXECUTE s`), and the protocol's Parse and Bind fill the same namespaces with
// text Vigil judges only at an Execute message. So the proxy judges a statement that runs one by
// name together with the text the server holds under that name (named-references.ts).
import type { Node } from './sql-facts-tree.js';
import { walk } from './sql-facts-tree.js';

export interface NamedReferences {
  /** Prepared statements run by EXECUTE, but for those the same text prepared before. */
  readonly executes: string[];
  /** Portals run by FETCH or MOVE, but for cursors the same text declared before. */
  readonly fetches: string[];
}

type ParseTree = { stmts?: { stmt?: Node }[] };

/**
 * Visits the statements in order, so a name PREPAREd or DECLAREd earlier in the same text (and
 * judged with it there) is told from one that already existed. If that PREPARE or DECLARE fails,
 * because the name exists, the server stops the string before the EXECUTE or FETCH.
 */
export function namedReferencesOf(tree: ParseTree): NamedReferences {
  const refs: NamedReferences = { executes: [], fetches: [] };
  const prepared = new Set<string>();
  const declared = new Set<string>();
  walk(tree, (key, node) => {
    if (key === 'PrepareStmt' && typeof node.name === 'string') prepared.add(node.name);
    if (key === 'DeclareCursorStmt' && typeof node.portalname === 'string') declared.add(node.portalname);
    if (key === 'ExecuteStmt' && typeof node.name === 'string' && !prepared.has(node.name))
      refs.executes.push(node.name);
    if (key === 'FetchStmt') {
      // libpg-query leaves out an empty name, which is the unnamed portal.
      const name = typeof node.portalname === 'string' ? node.portalname : '';
      if (!declared.has(name)) refs.fetches.push(name);
    }
    return true;
  });
  return refs;
}

/** A quick test before a parse: only texts with one of these words can run something by name. */
export function mayRunByName(sql: string): boolean {
  return /execute|fetch|move/i.test(sql);
}
