// Judging what a statement runs by name (EXECUTE s, FETCH c, MOVE c: sql-facts-references.ts) as
// the text the server holds under that name, as far as the server confirmed it (StatementState):
// a prepared statement's text, a protocol portal's bound text. A cursor DECLAREd in SQL was judged
// with its DECLARE. A name Vigil does not know may hold any text, so it is refused like an Execute
// of an unknown portal, unless the connection allows unknown statements (then it is UNKNOWN).
import type { NamedStatementText } from '../../core/db-payloads.js';
import { VigilError } from '../../core/errors.js';
import { nameKeyOfText } from './frontend-messages.js';
import { type SqlClassifier, type StatementClass, UNKNOWN_STATEMENT } from './sql-classifier.js';
import type { NamedReferences } from './sql-facts-references.js';
import type { StatementState } from './statement-state.js';

/** What a text runs by name: the statements judged, and the prepared texts behind its EXECUTEs. */
export interface RunByName {
  readonly statements: StatementClass[];
  readonly named: NamedStatementText[];
}

export function statementsRunByName(
  refs: NamedReferences,
  state: StatementState,
  classifier: SqlClassifier,
  allowUnknown: boolean,
): RunByName | VigilError {
  const out: StatementClass[] = [];
  const named: NamedStatementText[] = [];
  const judge = (text: string | null | undefined, what: string): VigilError | null => {
    if (typeof text === 'string') {
      out.push(...classifier.classify(text).map((s) => ({ ...s, nested: true })));
      return null;
    }
    if (!allowUnknown) {
      return new VigilError(
        'statement_uncertain',
        `Vigil cannot be certain what ${what} would run: the server has not confirmed its text through this connection`,
      );
    }
    out.push({ ...UNKNOWN_STATEMENT, nested: true, tables: [], functions: [], settings: [], flags: [] });
    return null;
  };
  for (const name of refs.executes) {
    const text = state.statement(nameKeyOfText(name))?.text;
    const error = judge(text, `prepared statement "${name}"`);
    if (error) return error;
    // In the record too: masking binds EXECUTE's arguments to the columns of the text's parameters.
    if (typeof text === 'string' && !named.some((n) => n.name === name))
      named.push({ name, statement: text });
  }
  for (const name of refs.fetches) {
    const key = nameKeyOfText(name);
    const portal = state.portal(key);
    if (!portal && state.isCursor(key)) continue;
    const error = judge(portal?.text, name === '' ? 'the unnamed portal' : `portal "${name}"`);
    if (error) return error;
  }
  return { statements: out, named };
}
