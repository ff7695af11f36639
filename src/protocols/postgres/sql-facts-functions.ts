// The functions a statement calls, or binds to run later (a trigger, a cast, an operator, an
// aggregate), so a guard sees `pg_read_file` however it is reached. Names are lower-cased and
// without their schema: `pg_catalog.pg_read_file` and a look-alike `"PG_READ_FILE"` in another
// schema both read as `pg_read_file`. That errs toward denying a harmless look-alike, never toward
// letting the real function through.
import { asNode, type Node, unqualifiedName, walkFrom } from './sql-facts-tree.js';

/** DefineStmt options (CREATE OPERATOR, AGGREGATE, TYPE) that name a function the server will call. */
const FUNCTION_OPTIONS = new Set([
  'function',
  'procedure',
  'restrict',
  'join',
  'sfunc',
  'finalfunc',
  'combinefunc',
  'serialfunc',
  'deserialfunc',
  'msfunc',
  'minvfunc',
  'mfinalfunc',
  'input',
  'output',
  'receive',
  'send',
  'typmod_in',
  'typmod_out',
  'analyze',
  'subscript',
  'canonical',
  'subtype_diff',
  'support', // CREATE FUNCTION ... SUPPORT f
]);

export function functionsOf(rootType: string, root: Node): string[] {
  const found = new Set<string>();
  const add = (list: unknown) => {
    const name = unqualifiedName(list);
    if (name) found.add(name);
  };
  walkFrom(rootType, root, (key, node) => {
    switch (key) {
      case 'FuncCall':
      case 'funccall': // CallStmt holds its FuncCall bare
        add(node.funcname);
        break;
      case 'CreateTrigStmt':
      case 'CreateEventTrigStmt':
        add(node.funcname);
        break;
      case 'CreateCastStmt':
        add(asNode(node.func)?.objname);
        break;
      case 'CreateTransformStmt':
        add(asNode(node.fromsql)?.objname);
        add(asNode(node.tosql)?.objname);
        break;
      case 'CreateConversionStmt':
        add(node.func_name);
        break;
      case 'DefElem':
        if (typeof node.defname === 'string' && FUNCTION_OPTIONS.has(node.defname.toLowerCase())) {
          const arg = asNode(node.arg);
          add(asNode(arg?.TypeName)?.names ?? asNode(arg?.List)?.items);
        }
        break;
    }
  });
  return [...found];
}
