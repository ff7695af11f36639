// What one database connection remembers between its statements so that a later result is masked
// as its earlier statements require: a statement may give a secret column's values a name that
// says nothing (a cursor, a user variable, a view or table, a prepared text, a routine), and a later
// one reads them by that name. Each memory keeps its own bound, and past it withholds more, never
// less (sql-cursors.ts, sql-variables.ts, sql-session-relations.ts). One per connection, held by
// the protocol module and handed to every statement's echo (value-echoes.ts).
import { DeclaredCursors } from './sql-cursors.js';
import { SessionRelations } from './sql-session-relations.js';
import { SecretVariables } from './sql-variables.js';

/** Which server the connection talks to: it decides which memories apply and how strings are read. */
export type SqlDialect = 'postgres' | 'mysql';

export class SqlConnectionState {
  readonly dialect: SqlDialect;
  /** Cursors declared in SQL and their derived positions; read for PostgreSQL only. */
  readonly cursors = new DeclaredCursors();
  /** User variables given a secret (`SELECT password INTO @v`); read for MySQL only. */
  readonly variables = new SecretVariables();
  /** Views, tables, prepared texts and routines made from a secret; read for both. */
  readonly relations = new SessionRelations();

  constructor(dialect: SqlDialect) {
    this.dialect = dialect;
  }
}
