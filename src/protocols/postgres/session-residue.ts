// What a session may leave in its server backend that the reset (DISCARD ALL) does not clear, so
// that upstream reuse (upstream-pool.ts) would hand it to the next session, possibly another
// Vigil identity's. DISCARD ALL resets settings, the session authorization, prepared statements,
// cursors, temporary objects, LISTEN and advisory locks; it does not touch memory an extension or
// a procedural language keeps for the life of the process:
// - dblink connections, named or not: the next session runs SQL over them, with the credential
//   the first session gave in the connection string;
// - a library LOADed (its hooks stay installed), or one a new extension loaded;
// - the globals of a procedural language (PL/Python's SD/GD, PL/Perl's %_SHARED), reached by a
//   DO block or a procedure whose body the statement does not show, and anything such a body does
//   by dynamic SQL (dblink_connect included);
// - whatever a statement Vigil could not read runs (UNKNOWN: a portal of SQL PREPARE, a fast-path
//   call).
// Two checks, each closing the backend instead of keeping it. The session's own statements: one
// that ran any of the above (leavesSessionState). And, since a plain function call, view or
// trigger may do it on the caller's behalf unseen, the database: where an extension or language
// that keeps such state is installed, no backend is kept at all (RESIDUE_CHECK_SQL, asked by the
// pool before each reset). docs/postgres.md, "Upstream reuse", names what neither check sees.
import type { StatementFlag } from '../../policy/sql-kinds.js';
import type { StatementClass } from './sql-classifier.js';

const LEAVES_STATE: ReadonlySet<StatementFlag> = new Set<StatementFlag>([
  'dblink',
  'load_library',
  'do_block',
  'call',
  'create_extension',
]);

/** Whether running `statements` may leave state in the backend that DISCARD ALL keeps. */
export function leavesSessionState(statements: readonly Pick<StatementClass, 'kind' | 'flags'>[]): boolean {
  return statements.some((s) => s.kind === 'UNKNOWN' || s.flags.some((flag) => LEAVES_STATE.has(flag)));
}

/**
 * Asked of the server before each reset: the extensions and languages of the database, one row
 * each ('extension' or 'language', name). It reads only catalog columns, schema-qualified, with no
 * cast, function or operator, so that nothing a client put on its search_path is run instead.
 */
export const RESIDUE_CHECK_SQL =
  "SELECT 'extension', e.extname FROM pg_catalog.pg_extension AS e " +
  "UNION ALL SELECT 'language', l.lanname FROM pg_catalog.pg_language AS l";

/**
 * Installed, they let a statement keep state for the life of the backend without a call Vigil can
 * see: a function, view or trigger may open a dblink connection. pg_variables and session_variable
 * keep variables that DISCARD ALL does not reset.
 */
const PROCESS_STATE_EXTENSIONS: ReadonlySet<string> = new Set(['dblink', 'pg_variables', 'session_variable']);
/** Languages that keep nothing between calls; any other (PL/Python's GD, PL/Perl's %_SHARED, ...) may. */
const STATELESS_LANGUAGES: ReadonlySet<string> = new Set(['internal', 'c', 'sql', 'plpgsql']);

/**
 * Whether a database with these rows of RESIDUE_CHECK_SQL lets a session keep state in its backend
 * past DISCARD ALL: then no backend of it is reused, whatever its sessions were seen to run.
 */
export function databaseKeepsProcessState(rows: readonly (readonly [string, string])[]): boolean {
  return rows.some(([what, name]) =>
    what === 'extension' ? PROCESS_STATE_EXTENSIONS.has(name) : !STATELESS_LANGUAGES.has(name),
  );
}

/** What a session forwarded, as it bears on resetting its backend for the next session. */
export class ResidueWatch {
  /** A statement may have left state the reset keeps: the backend is not reused. */
  #residue = false;
  /**
   * Extended-protocol messages forwarded since the last Sync: the server's transaction for them is
   * still open (an Execute's write not yet committed), and a goodbye must end the backend, which
   * rolls it back, rather than leave it to the reset, which would commit it.
   */
  #unsynced = false;

  /** Statements Vigil read were forwarded. */
  ran(statements: readonly Pick<StatementClass, 'kind' | 'flags'>[]): void {
    this.#residue ||= leavesSessionState(statements);
  }

  /** Something Vigil could not read was forwarded (a portal of SQL PREPARE, a fast-path call). */
  ranUnread(): void {
    this.#residue = true;
  }

  /** A message of this kind was forwarded; a simple query ends with its own ReadyForQuery, as a Sync does. */
  forwarded(kind: string): void {
    this.#unsynced = kind !== 'sync' && kind !== 'query';
  }

  /** Extended-protocol messages were forwarded since the last Sync (session-probe.ts). */
  get unsynced(): boolean {
    return this.#unsynced;
  }

  /** Whether nothing forwarded keeps the backend from being reset and reused. */
  get resettable(): boolean {
    return !this.#residue && !this.#unsynced;
  }
}
