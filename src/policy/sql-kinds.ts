// Statement kinds that only read: the classifier marks every other kind as a write, and a read-only
// connection allows these and nothing else.
export const READ_ONLY_KINDS = [
  'SELECT',
  'SHOW',
  'EXPLAIN',
  'TRANSACTION',
  'DECLARE',
  'FETCH',
  'CLOSE',
  'DEALLOCATE',
  'DISCARD',
  'LISTEN',
  'UNLISTEN',
] as const;

/**
 * Whether a statement can run no stored code (a function, or one a view calls): transaction
 * control, SHOW, USE, a SELECT of constants. Read-only connections let only such statements come
 * before transaction control or another statement in one text, since stored code may lift the
 * server's read-only mode for what follows (each protocol's read-only module says how).
 */
export function runsNoStoredCode(s: {
  readonly kind: string;
  readonly tables: readonly string[];
  readonly functions: readonly string[];
}): boolean {
  if (s.kind === 'TRANSACTION' || s.kind === 'SHOW' || s.kind === 'USE') return true;
  return s.kind === 'SELECT' && s.tables.length === 0 && s.functions.length === 0;
}

/**
 * Facts about a statement that its kind does not tell: ways to run SQL Vigil cannot read, or to reach
 * outside the database. The classifier sets them; the `strict` preset denies every one of them.
 */
export const STATEMENT_FLAGS = [
  /** DO: an anonymous block in a procedural language, its body opaque to the parser. */
  'do_block',
  /** CREATE FUNCTION/PROCEDURE in a language other than sql (plpgsql, C, plperlu, ...), or none given. */
  'procedural_function',
  /** CALL: runs a procedure whose body the statement does not show. */
  'call',
  /** COPY ... TO/FROM PROGRAM: a shell command on the database server. */
  'copy_program',
  /** COPY ... TO/FROM 'file': a file on the database server. */
  'copy_server_file',
  /** ALTER SYSTEM: rewrites the server's configuration for everyone. */
  'alter_system',
  /** SET ROLE, set_config('role', ...), ALTER ROLE/DATABASE ... SET role (not RESET ROLE or SET ROLE NONE). */
  'set_role',
  /** SET SESSION AUTHORIZATION to a user (not RESET or DEFAULT), or the same through set_config or ALTER. */
  'set_session_authorization',
  /** set_config() with a setting name that is not a constant: it could change anything. */
  'dynamic_setting',
  /** pg_read_file, pg_ls_dir, pg_stat_file, lo_import, lo_export, adminpack's pg_file_*, ... */
  'server_file_access',
  /** Large-object functions (lo_create, lo_open, loread, lowrite, lo_get, lo_put, ...). */
  'large_object',
  /** pg_terminate_backend, pg_cancel_backend: other sessions. */
  'terminate_backend',
  /** dblink*: SQL sent to another server or database. */
  'dblink',
  /** CREATE EXTENSION (also CREATE LANGUAGE): installs functions, some of them reaching outside. */
  'create_extension',
  /** Foreign servers, foreign tables, user mappings, IMPORT FOREIGN SCHEMA (postgres_fdw, file_fdw). */
  'foreign_data',
  /** LOAD: a shared library into the server process. */
  'load_library',
] as const;

export type StatementFlag = (typeof STATEMENT_FLAGS)[number];
