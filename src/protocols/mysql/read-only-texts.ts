// A read-only connection has two walls: the guardrail, and the upstream session set READ ONLY
// (session-checks.ts). MariaDB lets a stored function turn the session's access mode off
// (`SET @@session.tx_read_only = 0` in its body) for the transactions after the one it runs in, and
// a SELECT that calls it, or reads a view that does, passes the guardrail. So the proxy sets the
// session read-only again after every command that can run stored code, before the next one
// reaches the server. Inside one text of several statements it cannot: a statement after one that
// ran stored code would start a read-write transaction. Such a text is refused (fail closed) unless
// every statement before the last runs no stored code.
import { VigilError } from '../../core/errors.js';
import { runsNoStoredCode } from '../../policy/sql-kinds.js';
import type { Classification } from './sql-classifier.js';

/** Why a text cannot run on a read-only connection as it stands, or null. */
export function readOnlyTextRefusal(c: Classification): VigilError | null {
  if (c.statements.slice(0, -1).every(runsNoStoredCode)) return null;
  return new VigilError(
    'statement_uncertain',
    'on a read-only connection a text of several statements is refused when one before the last reads a table or calls a function: stored code it runs could make the statements after it read-write; send them one at a time',
  );
}
