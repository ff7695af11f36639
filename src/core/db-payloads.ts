// Payload shapes of the database events (db.query before a statement runs, db.result after it,
// db.cancel when a client asks the server to stop one).
// Replay, search, policy and the reasoning-tree links read these, so they are part of the ledger
// format: extend them, never change a field's meaning. Every database protocol fills them alike.
import type { JsonObject, JsonValue } from './events.js';

/** What the SQL parser says of one statement (one entry per statement, plus nested writes). */
export interface StatementFacts extends JsonObject {
  /** SELECT, INSERT, UPDATE, DELETE, DROP, ... or UNKNOWN when the text does not parse. */
  kind: string;
  /** UPDATE and DELETE: whether a WHERE clause on a column bounds the rows. */
  hasWhere: boolean;
  tables: string[];
  /** Whether the statement may change data or schema. */
  writes: boolean;
  /** A data-modifying statement found inside another one, or a statement of a function body. */
  nested: boolean;
  functions: string[];
  settings: JsonObject[];
  flags: string[];
}

export interface DbQueryPayload extends JsonObject {
  /** The text the server will run, as Vigil's server-confirmed state knows it; null when unknown. */
  statement: string | null;
  /** Bound parameters: text as strings, binary as `\x` hex, NULL as null. */
  parameters: JsonValue[];
  statement_name: string | null;
  portal: string | null;
  /** `simple`, `extended`, `fastpath` (PostgreSQL); a database protocol names its own. */
  protocol: string;
  classification: { statements: StatementFacts[] };
  // `named_statements` (NamedStatementText[]), present only when there are some: the texts the
  // server holds under the prepared statements this statement runs by name (SQL `EXECUTE s(...)`),
  // as it confirmed them. Masked as statements are, and an argument of `EXECUTE` is masked as the
  // parameter it binds. (Not declared as an optional member: a JsonObject's members are JsonValues.)
}

/** One of a db.query's `named_statements`. */
export interface NamedStatementText extends JsonObject {
  /** The prepared statement's name, as the server reads it. */
  name: string;
  /** The text it was prepared from (a `PREPARE ... AS ...` string, or a protocol Parse's text). */
  statement: string;
}

export interface DbResultPayload extends JsonObject {
  command_tag: string | null;
  /** SQLSTATE (or the protocol's error code) when the statement failed or did not run. */
  sqlstate: string | null;
  error_message: string | null;
  /** Which statement of a multi-statement string this result belongs to. */
  statement_index: number;
  row_count: number;
  duration_ms: number;
  columns: string[];
  /** The first `record_rows` rows, as text (masked before they are stored). */
  rows: JsonValue[][];
}

/** The data a client sent with COPY … FROM STDIN, as `db.copy_data` records it before its CopyDone goes on. */
export interface DbCopyDataPayload extends JsonObject {
  /** The columns the COPY names (empty when it names none: no value is recorded then). */
  columns: string[];
  /** The first `record_rows` lines, decoded and masked as a result's rows are. */
  rows: JsonValue[][];
  /** Format, size, SHA-256 of all the data, lines, how it ended (protocols/postgres/copy-in-record.ts). */
  copy: JsonObject;
}

export interface DbCancelPayload extends JsonObject {
  /**
   * The address the cancel request came from: it arrives on a connection of its own, which need
   * not be the session's client (anyone holding the key can send it); null when unknown.
   */
  peer: string | null;
  /** Whether the server had been sent something it had not yet answered (a statement running or queued). */
  in_flight: boolean;
  /** Whether a statement was held for review: the cancel withdraws it, and it never runs. */
  held: boolean;
}
