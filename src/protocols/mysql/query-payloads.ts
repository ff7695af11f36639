// What the MySQL proxy records as db.query (core/db-payloads.ts), for each kind of command that runs
// something: a text query, an execution of a prepared statement, a change of database, a field
// listing, a connection reset. `database` is the one the server confirmed the session is in.
import type { DbQueryPayload, StatementFacts } from '../../core/db-payloads.js';
import type { JsonValue } from '../../core/events.js';
import { withActivityReads } from './activity-tables.js';
import type { ClassifiedStatement } from './sql-classifier.js';

export interface MysqlQueryPayload extends DbQueryPayload {
  database: string | null;
}

/**
 * The facts as recorded: the lexed text of each statement is left out (the statement is there
 * whole), and the writes a statement makes under another kind's name follow it as nested entries.
 */
export function factsOf(
  statements: readonly ClassifiedStatement[],
  database: string | null = null,
): StatementFacts[] {
  // A table showing other sessions' statements may be named without its schema in that schema
  // (activity-tables.ts): only the session's database tells.
  return statements.flatMap(({ text: _text, implied, ...facts }) =>
    withActivityReads([facts, ...implied], database),
  );
}

export function queryPayload(
  statement: string,
  statements: readonly ClassifiedStatement[],
  database: string | null,
  protocol: 'text' | 'binary' = 'text',
  parameters: JsonValue[] = [],
  statementName: string | null = null,
): MysqlQueryPayload {
  return {
    statement,
    parameters,
    statement_name: statementName,
    portal: null,
    protocol,
    database,
    classification: { statements: factsOf(statements, database) },
  };
}

function fact(kind: string, tables: string[] = []): StatementFacts {
  return {
    kind,
    hasWhere: false,
    tables,
    writes: false,
    nested: false,
    functions: [],
    settings: [],
    flags: [],
  };
}

export function commandPayload(
  protocol: 'init_db' | 'field_list' | 'reset_connection',
  statement: string,
  database: string | null,
  kind: string,
  tables: string[] = [],
): MysqlQueryPayload {
  return {
    statement,
    parameters: [],
    statement_name: null,
    portal: null,
    protocol,
    database,
    classification: { statements: [fact(kind, tables)] },
  };
}

/** A name as MySQL quotes it, for a recorded statement built from a command. */
export function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
