// Where a MySQL server shows what other sessions run. Every Vigil identity of a connection logs in
// upstream as the same user, so the server's views of its sessions show each identity the others'
// statements, literals included (a salary in a WHERE, a password in `SET PASSWORD` or an UPDATE),
// where separate database users without the PROCESS privilege would see only their own:
// - `information_schema.PROCESSLIST` (INFO), `SHOW [FULL] PROCESSLIST`, MySQL 8's
//   `performance_schema.processlist`, `performance_schema.threads` (PROCESSLIST_INFO);
// - `performance_schema.events_statements_current`, `_history`, `_history_long` (SQL_TEXT),
//   `events_statements_summary_by_digest` (DIGEST_TEXT, MySQL 8's QUERY_SAMPLE_TEXT),
//   `prepared_statements_instances` (SQL_TEXT), `user_variables_by_thread` (every session's `@v`);
// - the sys schema's views over them (`sys.processlist`, `sys.session`, `sys.statement_analysis`,
//   the `statements_with_*` family, `innodb_lock_waits`, each with its `x$` twin);
// - InnoDB's transactions and locks (`information_schema.INNODB_TRX.trx_query`, the locked key
//   values of `INNODB_LOCKS.lock_data` and MySQL 8's `performance_schema.data_locks`), and
//   `SHOW ENGINE INNODB STATUS`, which prints running transactions' statements;
// - `XA RECOVER`, every session's prepared XA transactions by xid, the handle that ends them
//   (xa-transactions.ts);
// - the logs kept as tables (`mysql.general_log`, `mysql.slow_log`: sql_text) and `SHOW BINLOG |
//   RELAYLOG EVENTS` (statement-based events carry the text);
// - MariaDB's `SHOW EXPLAIN | ANALYZE [FORMAT=JSON] FOR <thread>` and MySQL's `EXPLAIN FOR
//   CONNECTION <thread>`: another thread's plan, its conditions' literals included.
// A statement reading one of them is recorded as reading every table (EVERY_TABLE, as a read of the
// column statistics is: statistics-tables.ts), so a rule restricting reads of any table holds it;
// and, since no rule may be written at all while passwords still show, it is refused unless the
// connection sets `allow_session_activity` (ACTIVITY_FLAG marks it; proxy-session.ts). Until 7
// December each returned other identities' statements to anyone on the connection.
// Tables match by schema and name in any case; an unqualified name matches in the session's
// database (`USE performance_schema; SELECT * FROM threads`), known only on the gateway.
import type { StatementFacts } from '../../core/db-payloads.js';
import { VigilError } from '../../core/errors.js';
import { EVERY_TABLE, tableNameParts } from '../../policy/table-patterns.js';
import { everyTableRead } from './every-table-read.js';
import type { Token } from './sql-lexer.js';

/** The flag on the recorded read of every table that a view of other sessions' work implies. */
export const ACTIVITY_FLAG = 'reads_other_sessions';

const SYS_VIEWS = [
  'processlist',
  'session',
  'statement_analysis',
  'statements_with_errors_or_warnings',
  'statements_with_full_table_scans',
  'statements_with_runtimes_in_95th_percentile',
  'statements_with_sorting',
  'statements_with_temp_tables',
  'innodb_lock_waits',
];

/** Per schema (lower-cased), the tables showing other sessions' statements or locked values. */
const ACTIVITY_TABLES: Readonly<Record<string, ReadonlySet<string>>> = {
  information_schema: new Set(['processlist', 'innodb_trx', 'innodb_locks']),
  performance_schema: new Set([
    'processlist',
    'threads',
    'events_statements_current',
    'events_statements_history',
    'events_statements_history_long',
    'events_statements_summary_by_digest',
    'prepared_statements_instances',
    'user_variables_by_thread',
    'data_locks',
  ]),
  sys: new Set([...SYS_VIEWS, ...SYS_VIEWS.map((v) => `x$${v}`)]),
  mysql: new Set(['general_log', 'slow_log']),
};

/** Whether a recorded table name, read in `database`, is one of ACTIVITY_TABLES. */
export function isActivityTable(table: string, database: string | null): boolean {
  if (table === EVERY_TABLE) return false;
  const parts = tableNameParts(table).map((p) => p.toLowerCase());
  const schema = parts.length >= 2 ? parts[parts.length - 2] : database?.toLowerCase();
  return schema !== undefined && ACTIVITY_TABLES[schema]?.has(parts[parts.length - 1]!) === true;
}

/**
 * Whether a statement's words show other sessions' work without naming a table: `SHOW [FULL]
 * PROCESSLIST`, `SHOW ENGINE … STATUS`, `SHOW BINLOG | RELAYLOG EVENTS`, `SHOW EXPLAIN | ANALYZE …
 * FOR`, `EXPLAIN | DESCRIBE … FOR CONNECTION`, `XA RECOVER`.
 */
export function showsActivity(tokens: readonly Token[]): boolean {
  const words = tokens.filter((t) => t.kind === 'word').map((t) => t.text);
  const [a, b, c] = words;
  if (a === 'show') {
    const what = b === 'full' ? c : b;
    if (what === 'processlist' || what === 'engine') return true;
    if ((b === 'binlog' || b === 'relaylog') && words.includes('events')) return true;
    if (b === 'explain' || b === 'analyze') return words.includes('for');
    return false;
  }
  // Every session's prepared XA transactions, by xid (xa-transactions.ts).
  if (a === 'xa') return b === 'recover';
  if (a === 'explain' || a === 'describe' || a === 'desc')
    return words.some((w, i) => w === 'for' && words[i + 1] === 'connection');
  return false;
}

/** The recorded read of every table a view of other sessions' work implies. */
export const READS_ACTIVITY: StatementFacts = everyTableRead([ACTIVITY_FLAG]);

/**
 * The recorded facts of one statement (with its nested entries after it) followed by READS_ACTIVITY
 * when one of them reads an activity table in `database` and none already carries it.
 */
export function withActivityReads(facts: StatementFacts[], database: string | null): StatementFacts[] {
  if (facts.some((f) => f.flags.includes(ACTIVITY_FLAG))) return facts;
  const reads = facts.some((f) => f.tables.some((t) => isActivityTable(t, database)));
  return reads ? [...facts, READS_ACTIVITY] : facts;
}

/** The refusal of a statement that reads other sessions' work where the connection does not allow it. */
export function activityRefusal(statements: readonly StatementFacts[], allowed: boolean): VigilError | null {
  if (allowed || !statements.some((s) => s.flags.includes(ACTIVITY_FLAG))) return null;
  return new VigilError(
    'policy_denied',
    "the statement reads other sessions' statements (every identity of this connection shares one " +
      'server user), which this connection does not allow (allow_session_activity)',
  );
}
