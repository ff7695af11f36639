// Whole statements that run as part of another, to be judged as what they are (nested entries):
// - the elements of `CREATE SCHEMA s CREATE VIEW … GRANT …`: PostgreSQL runs each, and a GRANT
//   there may name any object (`CREATE SCHEMA s GRANT SELECT ON public.payroll TO public` grants
//   it, though the statement reads as a CREATE), and a view there keeps a query like any view;
// - the GRANT or REVOKE of `ALTER DEFAULT PRIVILEGES`, which every later object of the role gets;
// - a rule's NOTIFY actions, sent by every statement that fires the rule. (Its writes are nested
//   writes and its SELECTs reads already: sql-classifier.ts, sql-facts-reads.ts.)
// - the role memberships `ALTER GROUP g ADD USER u` (DROP USER) and `CREATE ROLE r IN ROLE g`
//   (`ROLE u`, `ADMIN u`) grant or revoke, as `GRANT g TO u` would.
// Until 7 December these were judged only as the CREATE or ALTER around them.
import { asNode, type Node } from './sql-facts-tree.js';

/** Contained statements, each as a parse tree's statement node ({GrantStmt: {...}}). */
export function containedStatements(nodeType: string, node: Node): Node[] {
  if (nodeType === 'CreateSchemaStmt') return wrapped(node.schemaElts);
  if (nodeType === 'AlterDefaultPrivilegesStmt') {
    const action = asNode(node.action);
    return action ? [{ GrantStmt: action }] : [];
  }
  if (nodeType === 'RuleStmt') return wrapped(node.actions).filter((s) => asNode(s.NotifyStmt));
  if (nodeType === 'AlterRoleStmt' && hasOption(node, ROLE_MEMBERS))
    return [{ GrantRoleStmt: { is_grant: node.action !== -1 } }];
  if (nodeType === 'CreateRoleStmt' && hasOption(node, ROLE_MEMBERS))
    return [{ GrantRoleStmt: { is_grant: true } }];
  return [];
}

/** Options of CREATE and ALTER ROLE (and USER, GROUP) that add members to a role or a role to others. */
const ROLE_MEMBERS = new Set(['rolemembers', 'addroleto', 'adminmembers']);

function hasOption(node: Node, names: ReadonlySet<string>): boolean {
  const options = Array.isArray(node.options) ? node.options : [];
  return options.some((o) => {
    const name = asNode(asNode(o)?.DefElem)?.defname;
    return typeof name === 'string' && names.has(name);
  });
}

function wrapped(list: unknown): Node[] {
  return (Array.isArray(list) ? list : []).flatMap((item) => {
    const statement = asNode(item);
    return statement ? [statement] : [];
  });
}
