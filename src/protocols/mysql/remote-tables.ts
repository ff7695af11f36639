// Tables whose rows live elsewhere. With a storage engine that reaches other tables (FEDERATED and
// FEDERATEDX over a `CONNECTION='mysql://…/db/payroll'` or a `CREATE SERVER` name, CONNECT's
// `TABLE_TYPE=MYSQL TABNAME='payroll'`, `SRCDEF='SELECT …'` and `FILE_NAME='…'`, SPIDER, OQGRAPH's
// `DATA_TABLE`), `CREATE TABLE f (…) ENGINE=FEDERATED CONNECTION='…/payroll'` names only `f`, yet
// every later read of `f` is a read of payroll (on this server or another) and every write to it
// a write there. Until 7 December a rule denying reads of payroll did not hold such a table's
// creation, which the parser reads as an ordinary CREATE. Now a CREATE or ALTER TABLE that names
// such an engine or one of their table options, and a SET that makes such an engine the session's
// default (whose later CREATE TABLE names no engine), are recorded as reading every table
// (EVERY_TABLE), as a read of the server's files is (server-files.ts). The engines themselves are
// installed by `INSTALL SONAME | PLUGIN`, which Vigil cannot read: refused unless the connection
// allows unknown statements.
import type { StatementFacts } from '../../core/db-payloads.js';
import { everyTableRead } from './every-table-read.js';
import type { Token } from './sql-lexer.js';

/** The flag on the recorded read of every table that a table reaching other tables implies. */
export const REMOTE_TABLE_FLAG = 'reaches_other_tables';

/** The recorded read of every table such a table implies. */
export const READS_OTHER_TABLES: StatementFacts = everyTableRead([REMOTE_TABLE_FLAG]);

const REMOTE_ENGINES = new Set(['federated', 'federatedx', 'connect', 'spider', 'oqgraph']);

/** Table options only those engines read: where the rows come from. */
const REMOTE_OPTIONS = new Set([
  'connection',
  'table_type',
  'tabname',
  'dbname',
  'srcdef',
  'file_name',
  'option_list',
  'data_table',
]);

/** Engines that keep a table's rows in its own files on the server: safe as a session's default. */
const LOCAL_ENGINES = new Set([
  'innodb',
  'myisam',
  'aria',
  'memory',
  'heap',
  'csv',
  'archive',
  'blackhole',
  'sequence',
  'default',
]);

const ENGINE_VARIABLES = new Set([
  'storage_engine',
  'default_storage_engine',
  'default_tmp_storage_engine',
  'enforce_storage_engine',
]);

const nameOf = (t: Token | undefined): string | null =>
  t?.kind === 'word' || t?.kind === 'ident' || t?.kind === 'string' ? t.text.toLowerCase() : null;

/** The token after `name` and its optional `=`. */
function valueAfter(tokens: readonly Token[], i: number): Token | undefined {
  const next = tokens[i + 1];
  return next?.kind === 'punct' && (next.text === '=' || next.text === ':=') ? tokens[i + 2] : next;
}

/** Whether a statement makes or changes a table that reaches other tables, or makes such an engine the default. */
export function reachesOtherTables(tokens: readonly Token[]): boolean {
  const first = tokens[0]?.text;
  if (first === 'set') return setsRemoteEngine(tokens);
  if (first !== 'create' && first !== 'alter') return false;
  if (!tokens.some((t) => t.kind === 'word' && t.text === 'table')) return false;
  return tokens.some((t, i) => {
    if (t.kind !== 'word') return false;
    if (t.text === 'engine' || t.text === 'type')
      return REMOTE_ENGINES.has(nameOf(valueAfter(tokens, i)) ?? '');
    // `connection int` is a column; `CONNECTION = '…'` or `CONNECTION '…'` an option.
    if (!REMOTE_OPTIONS.has(t.text)) return false;
    const next = tokens[i + 1];
    return next?.kind === 'string' || (next?.kind === 'punct' && next.text === '=');
  });
}

/** `SET [SESSION] default_storage_engine = X` with X anything but a plain local engine's name. */
function setsRemoteEngine(tokens: readonly Token[]): boolean {
  return tokens.some((t, i) => {
    if (t.kind !== 'word' && t.kind !== 'var') return false;
    const name = t.text.replace(/^@@(session\.|local\.|global\.)?/, '');
    if (!ENGINE_VARIABLES.has(name)) return false;
    const value = valueAfter(tokens, i);
    const engine = nameOf(value);
    return engine === null || !LOCAL_ENGINES.has(engine);
  });
}
