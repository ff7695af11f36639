// The writes a MERGE makes, one per WHEN clause that updates, deletes or inserts, so that what
// guards UPDATE and DELETE (deny_statements, unbounded writes, statement_kinds rules) guards them
// in a MERGE too: `MERGE INTO t USING (SELECT 1) s ON true WHEN MATCHED THEN DELETE` deletes every
// row of t, and is a DELETE without a bound however it is spelled.
// A WHEN MATCHED action is bounded when the join condition or its own condition refers to a
// column (the tripwire of sql-facts-where.ts). A WHEN NOT MATCHED BY SOURCE action (PostgreSQL 17)
// touches exactly the target rows the join condition did not match, so only its own condition
// can bound it.
import { asNode, type Node } from './sql-facts-tree.js';
import { whereBoundsRows } from './sql-facts-where.js';

export interface MergeAction {
  readonly kind: 'UPDATE' | 'DELETE' | 'INSERT';
  readonly hasWhere: boolean;
}

const KIND_OF_COMMAND: Readonly<Record<string, MergeAction['kind']>> = {
  CMD_UPDATE: 'UPDATE',
  CMD_DELETE: 'DELETE',
  CMD_INSERT: 'INSERT',
};

export function mergeActionsOf(merge: Node): MergeAction[] {
  const clauses = Array.isArray(merge.mergeWhenClauses) ? merge.mergeWhenClauses : [];
  const joinBounds = whereBoundsRows(merge.joinCondition);
  const out: MergeAction[] = [];
  for (const c of clauses) {
    const clause = asNode(asNode(c)?.MergeWhenClause);
    const kind = typeof clause?.commandType === 'string' ? KIND_OF_COMMAND[clause.commandType] : undefined;
    if (!clause || !kind) continue;
    const own = whereBoundsRows(clause.condition);
    // Older trees say `matched: true`; PostgreSQL 17's say matchKind.
    const matched = clause.matchKind === 'MERGE_WHEN_MATCHED' || clause.matched === true;
    out.push({ kind, hasWhere: kind === 'INSERT' ? false : own || (matched && joinBounds) });
  }
  return out;
}
