// Functions that change data or the server's state from inside a SELECT, and that PostgreSQL runs
// in a read-only transaction all the same (checked on PostgreSQL 15 with
// default_transaction_read_only=on): the server's read-only mode, a read-only connection's second
// wall, does not stop them, so the classifier counts a statement that calls one as a write.
// nextval() and setval() are not here: the server refuses them in a read-only transaction.

/** Large-object functions that create, change or delete a large object, or write a server file. */
const LARGE_OBJECT_WRITES = [
  'lo_create',
  'lo_creat',
  'lo_import',
  'lo_export',
  'lo_from_bytea',
  'lo_unlink',
  'lo_put',
  'lowrite',
  'lo_truncate',
  'lo_truncate64',
];

/** Catalog rows, replication slots and origins, WAL, statistics, configuration, other sessions. */
const SERVER_STATE_WRITES = [
  'pg_notify',
  'pg_import_system_collations',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_promote',
  'pg_wal_replay_pause',
  'pg_wal_replay_resume',
  'pg_logical_emit_message',
  'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot',
  'pg_copy_physical_replication_slot',
  'pg_copy_logical_replication_slot',
  'pg_drop_replication_slot',
  'pg_replication_slot_advance',
  // Reading a logical slot's changes consumes them (the peek variants do not).
  'pg_logical_slot_get_changes',
  'pg_logical_slot_get_binary_changes',
  'pg_replication_origin_create',
  'pg_replication_origin_drop',
  'pg_replication_origin_advance',
  'pg_replication_origin_session_setup',
  'pg_replication_origin_xact_setup',
  'pg_stat_reset',
  'pg_stat_reset_shared',
  'pg_stat_reset_single_table_counters',
  'pg_stat_reset_single_function_counters',
  'pg_stat_reset_slru',
  'pg_stat_reset_replication_slot',
  'pg_stat_reset_subscription_stats',
  'pg_stat_statements_reset',
  // Ending another session rolls back its transaction.
  'pg_terminate_backend',
  'pg_cancel_backend',
];

const WRITING_FUNCTIONS = new Set([...LARGE_OBJECT_WRITES, ...SERVER_STATE_WRITES]);

/** Whether one of the functions (lower-cased, no schema) changes something a read-only transaction does not stop. */
export function callsWritingFunction(functions: readonly string[]): boolean {
  return functions.some((f) => WRITING_FUNCTIONS.has(f));
}

/**
 * Statements a function call is another spelling of: `SELECT pg_notify('c', 'x')` is `NOTIFY c,
 * 'x'`, so a rule on NOTIFY meets it too.
 */
export function statementKindsCalled(functions: readonly string[]): string[] {
  return functions.includes('pg_notify') ? ['NOTIFY'] : [];
}
