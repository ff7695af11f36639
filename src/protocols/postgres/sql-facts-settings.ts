// The run-time settings a statement changes, with the value as the server would read it, so the
// proxy can pin settings it relies on (client_encoding, standard_conforming_strings) and strict
// mode can see SET ROLE however it is spelled. Sources: SET / SET LOCAL / RESET / SET ... TO
// DEFAULT (and their special forms: NAMES, ROLE, SESSION AUTHORIZATION, TIME ZONE, TRANSACTION,
// SESSION CHARACTERISTICS), BEGIN's transaction options, DISCARD ALL, set_config() calls anywhere,
// and the SET clauses of ALTER SYSTEM, ALTER ROLE/DATABASE and CREATE/ALTER FUNCTION (which change
// other sessions or a function's calls, but are listed all the same).
import { asNode, constantOf, type Node, unqualifiedName, walk } from './sql-facts-tree.js';

/**
 * Whose setting changes: this session, this transaction (SET LOCAL, set_config(..., true), BEGIN's
 * options), calls of a function (its SET clause), or later sessions (ALTER ROLE/DATABASE/SYSTEM).
 */
export type SettingScope = 'session' | 'transaction' | 'function' | 'role' | 'database' | 'system';

export type SettingChange = {
  /** Lower-cased; '*' for all settings (RESET ALL, DISCARD ALL) or a name that is not a constant. */
  name: string;
  /** The new value as text; null for back to the default (RESET, SET ... TO DEFAULT) or unknown. */
  value: string | null;
  /** True when the name or the value is computed at run time (a parameter, an expression). */
  dynamic: boolean;
  scope: SettingScope;
};

/** Settings whose list items the server quotes as identifiers when flattening SET's arguments. */
const LIST_QUOTE = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'shared_preload_libraries',
  'local_preload_libraries',
  'unix_socket_directories',
]);

/** PostgreSQL's quote_identifier, without its keyword check (a keyword-named schema keeps no quotes here). */
function quoteIdentifier(value: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(value) ? value : `"${value.replaceAll('"', '""')}"`;
}

/** SET's argument list joined as the server's flatten_set_variable_args does; undefined when not constant. */
function flattenArgs(name: string, args: unknown): string | null | undefined {
  if (!Array.isArray(args) || args.length === 0) return null;
  const parts: string[] = [];
  for (const arg of args) {
    const c = constantOf(arg);
    if (c === undefined || c.text === null) return undefined;
    const isString = asNode(asNode(arg)?.A_Const)?.sval !== undefined;
    parts.push(isString && LIST_QUOTE.has(name) ? quoteIdentifier(c.text) : c.text);
  }
  return parts.join(', ');
}

/** SET TRANSACTION / SESSION CHARACTERISTICS / BEGIN options: DefElems named after the setting. */
function fromTransactionOptions(options: unknown, prefix: string, scope: SettingScope): SettingChange[] {
  if (!Array.isArray(options)) return [];
  return options.flatMap((o) => {
    const def = asNode(asNode(o)?.DefElem);
    if (!def || typeof def.defname !== 'string') return [];
    const c = constantOf(def.arg);
    const name = prefix + def.defname.toLowerCase();
    return [{ name, value: c?.text ?? null, dynamic: c === undefined, scope }];
  });
}

function fromVariableSet(stmt: Node | undefined, scope: SettingScope): SettingChange[] {
  if (!stmt) return [];
  const name = typeof stmt.name === 'string' ? stmt.name.toLowerCase() : '';
  switch (stmt.kind) {
    case 'VAR_RESET_ALL':
      return [{ name: '*', value: null, dynamic: false, scope }];
    case 'VAR_RESET':
    case 'VAR_SET_DEFAULT':
      return [{ name, value: null, dynamic: false, scope }];
    case 'VAR_SET_CURRENT': // keeps the current value, which the statement does not show
      return [{ name, value: null, dynamic: true, scope }];
    case 'VAR_SET_MULTI': {
      const inTransaction: SettingScope = scope === 'session' ? 'transaction' : scope;
      if (name === 'transaction') return fromTransactionOptions(stmt.args, '', inTransaction);
      if (name === 'session characteristics') return fromTransactionOptions(stmt.args, 'default_', scope);
      if (name === 'transaction snapshot') {
        const value = flattenArgs(name, stmt.args);
        const snapshot = 'transaction_snapshot';
        return [{ name: snapshot, value: value ?? null, dynamic: value === undefined, scope: inTransaction }];
      }
      return [{ name, value: null, dynamic: true, scope }];
    }
    default: {
      const value = flattenArgs(name, stmt.args);
      return [{ name, value: value ?? null, dynamic: value === undefined, scope }];
    }
  }
}

/** A call's argument by name (name => value) or, failing that, by position. */
function argument(args: readonly unknown[], position: number, name: string): unknown {
  for (const a of args) {
    const named = asNode(asNode(a)?.NamedArgExpr);
    if (named?.name === name) return named.arg;
  }
  const positional = args[position];
  // PostgreSQL puts positional arguments before named ones, so a named one here is someone else's.
  return asNode(asNode(positional)?.NamedArgExpr) ? undefined : positional;
}

/** set_config(setting_name, new_value, is_local), positional or with named arguments. */
function fromSetConfig(call: Node): SettingChange {
  const args = Array.isArray(call.args) ? call.args : [];
  const name = constantOf(argument(args, 0, 'setting_name'));
  const value = constantOf(argument(args, 1, 'new_value'));
  const nameText = name?.text;
  // Only a constant true makes it local; anything else may last the session.
  const isLocal = constantOf(argument(args, 2, 'is_local'))?.text === 'true';
  return {
    name: typeof nameText === 'string' ? nameText.toLowerCase() : '*',
    value: value?.text ?? null,
    dynamic: typeof nameText !== 'string' || value === undefined,
    scope: isLocal ? 'transaction' : 'session',
  };
}

/** The SET clause of CREATE/ALTER FUNCTION: a DefElem `set` holding a VariableSetStmt. */
function functionSetClause(def: Node): Node | undefined {
  return def.defname === 'set' ? asNode(asNode(def.arg)?.VariableSetStmt) : undefined;
}

export function settingsOf(rootType: string, root: Node): SettingChange[] {
  const out: SettingChange[] = [];
  // Returns false where a subtree is read here already, so its VariableSetStmt is not listed twice.
  const visit = (key: string, node: Node): boolean => {
    switch (key) {
      case 'VariableSetStmt':
        out.push(...fromVariableSet(node, node.is_local === true ? 'transaction' : 'session'));
        return false;
      case 'AlterSystemStmt':
        out.push(...fromVariableSet(asNode(node.setstmt), 'system'));
        return false;
      case 'AlterRoleSetStmt':
        out.push(...fromVariableSet(asNode(node.setstmt), 'role'));
        return false;
      case 'AlterDatabaseSetStmt':
        out.push(...fromVariableSet(asNode(node.setstmt), 'database'));
        return false;
      case 'DefElem': {
        const clause = functionSetClause(node);
        if (!clause) return true;
        out.push(...fromVariableSet(clause, 'function'));
        return false;
      }
      case 'FuncCall':
        if (unqualifiedName(node.funcname) === 'set_config') out.push(fromSetConfig(node));
        return true;
      case 'DiscardStmt':
        if (node.target === 'DISCARD_ALL')
          out.push({ name: '*', value: null, dynamic: false, scope: 'session' });
        return true;
      case 'TransactionStmt':
        out.push(...fromTransactionOptions(node.options, '', 'transaction'));
        return true;
      default:
        return true;
    }
  };
  if (visit(rootType, root)) walk(root, visit);
  return out;
}
