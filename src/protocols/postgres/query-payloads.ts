// What the PostgreSQL proxy records: the db.query payload of each kind of statement message, the
// db.result of one the server skipped, and why Vigil refuses one it cannot be certain of.
import type { DbQueryPayload, DbResultPayload, NamedStatementText } from '../../core/db-payloads.js';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import type { BindMessage } from './frontend-messages.js';
import { displayName, nameKeyOfText } from './frontend-messages.js';
import { type SqlClassifier, type StatementClass, UNKNOWN_STATEMENT } from './sql-classifier.js';
import { boundRelation } from './sql-facts-relations.js';
import type { KnownPortal, PendingBind, SqlNamespaceChanges } from './statement-state.js';

export function simpleQueryPayload(
  text: string,
  statements: readonly StatementClass[],
  named: readonly NamedStatementText[] = [],
): DbQueryPayload {
  return {
    statement: text,
    parameters: [],
    statement_name: null,
    portal: null,
    protocol: 'simple',
    classification: { statements: [...statements] },
    ...namedStatements(named),
  };
}

/** The field only when the statement runs some by name, so other records keep their shape. */
function namedStatements(named: readonly NamedStatementText[]): { named_statements?: NamedStatementText[] } {
  return named.length > 0 ? { named_statements: [...named] } : {};
}

/** An Execute: the text and parameters bound into the portal, as the server confirmed them. */
export function executePayload(
  portal: string,
  known: KnownPortal | undefined,
  statements: readonly StatementClass[] | null,
  named: readonly NamedStatementText[] = [],
): DbQueryPayload {
  return {
    statement: known?.text ?? null,
    parameters: known ? [...known.params] : [],
    statement_name: known ? displayName(known.statement) : null,
    portal: displayName(portal),
    protocol: 'extended',
    classification: {
      statements: statements
        ? statements.map((s) => withBoundRelations(s, known?.params ?? []))
        : [UNKNOWN_STATEMENT],
    },
    ...namedStatements(named),
  };
}

/** A statement with the relations its parameters' bound texts name (`setval($1, 1)`) among its tables. */
function withBoundRelations(s: StatementClass, params: readonly JsonValue[]): StatementClass {
  const relationParams = s.relationParams;
  if (!Array.isArray(relationParams)) return s;
  const tables = new Set(s.tables);
  for (const n of relationParams) {
    const name = typeof n === 'number' ? boundRelation(params[n - 1]) : null;
    if (name !== null) tables.add(name);
  }
  return { ...s, tables: [...tables] };
}

/** A Parse refused before the server read it: its text, judged as nothing Vigil could be sure of. */
export function parsePayload(name: string, text: string): DbQueryPayload {
  return {
    statement: text,
    parameters: [],
    statement_name: displayName(name),
    portal: null,
    protocol: 'extended',
    classification: { statements: [UNKNOWN_STATEMENT] },
  };
}

/** The legacy fast-path call runs a function by oid, with no SQL text. */
export function fastPathPayload(oid: number): DbQueryPayload {
  return {
    statement: `-- fast-path function call (oid ${oid})`,
    parameters: [],
    statement_name: null,
    portal: null,
    protocol: 'fastpath',
    classification: { statements: [UNKNOWN_STATEMENT] },
  };
}

/** A Bind as recorded once the server confirms it: text parameters as strings, binary as \x hex. */
export function pendingBind(m: BindMessage): PendingBind {
  return {
    portal: m.portal,
    statement: m.statement,
    params: m.params.map((p) =>
      p === null ? null : p.binary ? `\\x${p.value.toString('hex')}` : p.value.toString('utf8'),
    ),
    rawParams: m.params.map((p) => (p === null ? null : Buffer.from(p.value))),
    resultFormats: m.resultFormats,
  };
}

export function settingsOf(statements: readonly StatementClass[]) {
  return statements.flatMap((s) => s.settings ?? []);
}

/** PREPARE, DEALLOCATE and DECLARE in a statement string, so their effects can follow their command tags. */
export function namespaceChanges(
  classifier: SqlClassifier,
  text: string,
  statements: readonly StatementClass[],
): { sql?: SqlNamespaceChanges } {
  if (!statements.some((s) => s.kind === 'PREPARE' || s.kind === 'DEALLOCATE' || s.kind === 'DECLARE'))
    return {};
  const names = classifier.preparedNames(text);
  return {
    sql: {
      text,
      prepares: names.prepares.map(nameKeyOfText),
      deallocates: names.deallocates.map((n) => (n === '*' ? '*' : nameKeyOfText(n))),
      declares: names.declares.map(nameKeyOfText),
    },
  };
}

export function notExecuted(sqlstate: string | null): DbResultPayload {
  return {
    command_tag: null,
    sqlstate: sqlstate ?? 'XX000',
    error_message: 'not executed: an earlier message of the same pipeline failed',
    statement_index: 0,
    row_count: 0,
    duration_ms: 0,
    columns: [],
    rows: [],
  };
}

export function notUtf8(): VigilError {
  return new VigilError(
    'statement_uncertain',
    'the statement is not valid UTF-8, so Vigil cannot read it as the server would',
  );
}

export function uncertain(portal: string, known: KnownPortal | undefined): VigilError {
  const name = portal === '' ? 'the unnamed portal' : `portal "${displayName(portal)}"`;
  const why = known
    ? `its statement "${displayName(known.statement)}" was not prepared through this connection's protocol messages`
    : 'the server has not confirmed binding it';
  return new VigilError('statement_uncertain', `Vigil cannot be certain what ${name} would run: ${why}`);
}

export function fastPathUnjudged(): VigilError {
  return new VigilError(
    'statement_uncertain',
    'fast-path function calls carry no SQL text for Vigil to judge',
  );
}

export function settingsUnreported(): VigilError {
  return new VigilError(
    'statement_uncertain',
    'an earlier statement of this pipeline may have changed how the server reads text ' +
      '(standard_conforming_strings, client_encoding), and the server reports it only at Sync: ' +
      'this text, which reads otherwise under another setting, cannot be judged before then',
  );
}
