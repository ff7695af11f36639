// Flags (src/policy/sql-kinds.ts, STATEMENT_FLAGS): what a statement can do that its kind does not
// tell, from its nodes anywhere in the tree, the functions it names and the settings it changes.
import type { StatementFlag } from '../../policy/sql-kinds.js';
import type { SettingChange } from './sql-facts-settings.js';
import { asNode, type Node, walkFrom } from './sql-facts-tree.js';

const SERVER_FILE_FUNCTIONS = new Set([
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_ls_dir',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_logicalsnapdir',
  'pg_ls_logicalmapdir',
  'pg_ls_replslotdir',
  'pg_ls_summariesdir',
  'lo_import',
  'lo_export',
  // adminpack
  'pg_file_write',
  'pg_file_rename',
  'pg_file_unlink',
  'pg_file_sync',
  'pg_file_read',
  'pg_file_length',
  'pg_logdir_ls',
]);

const LARGE_OBJECT_FUNCTIONS = new Set([
  'lo_create',
  'lo_creat',
  'lo_open',
  'lo_close',
  'loread',
  'lowrite',
  'lo_lseek',
  'lo_lseek64',
  'lo_tell',
  'lo_tell64',
  'lo_truncate',
  'lo_truncate64',
  'lo_unlink',
  'lo_get',
  'lo_put',
  'lo_from_bytea',
]);

const BACKEND_SIGNAL_FUNCTIONS = new Set(['pg_terminate_backend', 'pg_cancel_backend']);

const FOREIGN_DATA_STATEMENTS = new Set([
  'CreateFdwStmt',
  'AlterFdwStmt',
  'CreateForeignServerStmt',
  'AlterForeignServerStmt',
  'CreateForeignTableStmt',
  'CreateUserMappingStmt',
  'AlterUserMappingStmt',
  'ImportForeignSchemaStmt',
]);

/** The language of CREATE FUNCTION/PROCEDURE, lower-cased; 'sql' for a BEGIN ATOMIC / RETURN body. */
export function functionLanguage(stmt: Node): string | null {
  for (const o of Array.isArray(stmt.options) ? stmt.options : []) {
    const def = asNode(asNode(o)?.DefElem);
    const sval = asNode(asNode(def?.arg)?.String)?.sval;
    if (def?.defname === 'language' && typeof sval === 'string') return sval.toLowerCase();
  }
  return stmt.sql_body !== undefined ? 'sql' : null;
}

function fromNodes(rootType: string, root: Node, flags: Set<StatementFlag>): void {
  walkFrom(rootType, root, (key, node) => {
    if (key === 'DoStmt') flags.add('do_block');
    else if (key === 'CallStmt') flags.add('call');
    else if (key === 'AlterSystemStmt') flags.add('alter_system');
    else if (key === 'LoadStmt') flags.add('load_library');
    else if (key === 'CreateExtensionStmt' || key === 'AlterExtensionStmt') flags.add('create_extension');
    else if (FOREIGN_DATA_STATEMENTS.has(key)) flags.add('foreign_data');
    else if (key === 'CopyStmt' && node.is_program) flags.add('copy_program');
    else if (key === 'CopyStmt' && typeof node.filename === 'string') flags.add('copy_server_file');
    // Without a language the server refuses the body; with any language but sql it is opaque here.
    else if (key === 'CreateFunctionStmt' && functionLanguage(node) !== 'sql')
      flags.add('procedural_function');
  });
}

function fromFunctions(functions: readonly string[], flags: Set<StatementFlag>): void {
  for (const f of functions) {
    if (SERVER_FILE_FUNCTIONS.has(f)) flags.add('server_file_access');
    else if (LARGE_OBJECT_FUNCTIONS.has(f)) flags.add('large_object');
    else if (BACKEND_SIGNAL_FUNCTIONS.has(f)) flags.add('terminate_backend');
    else if (f.startsWith('dblink')) flags.add('dblink');
  }
}

/** Going back to the logged-in user (RESET, ... DEFAULT, SET ROLE NONE) is not flagged. */
function becomesSomeoneElse(s: SettingChange, noneMeansBack: boolean): boolean {
  if (s.dynamic) return true;
  return s.value !== null && !(noneMeansBack && s.value.toLowerCase() === 'none');
}

function fromSettings(settings: readonly SettingChange[], flags: Set<StatementFlag>): void {
  for (const s of settings) {
    if (s.name === 'role' && becomesSomeoneElse(s, true)) flags.add('set_role');
    if (s.name === 'session_authorization' && becomesSomeoneElse(s, false))
      flags.add('set_session_authorization');
    if (s.name === '*' && s.dynamic) flags.add('dynamic_setting');
  }
}

export function flagsOf(
  rootType: string,
  root: Node,
  functions: readonly string[],
  settings: readonly SettingChange[],
): StatementFlag[] {
  const flags = new Set<StatementFlag>();
  fromNodes(rootType, root, flags);
  fromFunctions(functions, flags);
  fromSettings(settings, flags);
  return [...flags];
}
