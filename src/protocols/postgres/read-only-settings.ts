// A read-only connection (guardrails.read_only) is read-only twice: the guard denies statements
// that may change data, and the server runs every transaction read-only
// (default_transaction_read_only=on, sent at login), which also stops what no guard can see: a
// function that writes, nextval(), lo_import(). A SELECT that lifts that default
// (`SELECT set_config('default_transaction_read_only', 'off', false)`) would leave only the guard,
// so such a statement counts as a write; and since anything the guard cannot see (a function made
// outside Vigil) could lift it too, a server report that it was lifted ends the session (PostgreSQL
// 14 and later report default_transaction_read_only as a ParameterStatus).
import { VigilError } from '../../core/errors.js';
import { runsNoStoredCode } from '../../policy/sql-kinds.js';
import { checkReportedSetting, pgBoolIsTrue } from './lexical-settings.js';
import type { SettingChange, StatementClass } from './sql-classifier.js';

const READ_ONLY_SETTINGS = new Set(['default_transaction_read_only', 'transaction_read_only']);

/**
 * Whether a setting change could let a transaction of this session write: one of the read-only
 * settings set to anything but a true value, or a setting whose name or value is computed at run
 * time (which could be one of them, set to off). Back to the default is back to the login's `on`.
 */
export function liftsReadOnly(change: SettingChange): boolean {
  if (change.dynamic) return change.name === '*' || READ_ONLY_SETTINGS.has(change.name);
  if (!READ_ONLY_SETTINGS.has(change.name) || change.value === null) return false;
  return !pgBoolIsTrue(change.value);
}

/**
 * A ParameterStatus the server reported (at login, or after a statement changed it): a setting that
 * changes how text is read must keep the value Vigil reads with (lexical-settings.ts), and on a
 * read-only connection the read-only default must stay on.
 */
export function checkServerReport(name: string, value: string, readOnly: boolean): VigilError | null {
  return checkReportedSetting(name, value) ?? (readOnly ? checkReadOnlyReport(name, value) : null);
}

function checkReadOnlyReport(name: string, value: string): VigilError | null {
  if (name.toLowerCase() !== 'default_transaction_read_only' || pgBoolIsTrue(value)) return null;
  return new VigilError(
    'setting_pinned',
    `the server reports default_transaction_read_only = ${JSON.stringify(value.slice(0, 40))} on a read-only connection; Vigil keeps it on, so the session is ended`,
    { details: { setting: 'default_transaction_read_only' } },
  );
}

/** A statement in one batch behind an Execute whose settings are not reported yet, where it matters. */
export function readOnlyUnreported(): VigilError {
  return new VigilError(
    'statement_uncertain',
    'on a read-only connection, transaction control (or a Query) behind another statement of the ' +
      'same extended-protocol batch is refused: that statement may have lifted the read-only default ' +
      'through a function, which the server reports only at Sync, and what follows would run under ' +
      'it; end the batch with Sync first',
  );
}

/**
 * An extended-protocol batch runs its Executes in one transaction, whose read-only mode was set
 * when it began, unless one of them is transaction control: refused behind an unreported Execute.
 * A simple Query of several statements runs them in one transaction, whose read-only mode was set
 * when it began, unless transaction control in the text ends it: the statements after a COMMIT
 * start a new transaction under the default, which a function called (or a view read) earlier in
 * the same text may have lifted, and the server reports that only after the whole text has run.
 * On a read-only connection such a text is refused unless nothing before that point can run a
 * function.
 */
export function readOnlyTextRefusal(
  statements: readonly StatementClass[],
  /** An Execute of the batch being sent is unreported: transaction control now would end its transaction. */
  batchOpen: boolean,
): VigilError | null {
  if (batchOpen && statements.some((s) => !s.nested && s.kind === 'TRANSACTION')) return readOnlyUnreported();
  let last = -1;
  for (let i = 0; i < statements.length; i++) if (!statements[i]!.nested) last = i;
  let ranCode = false;
  for (let i = 0; i < last; i++) {
    const s = statements[i]!;
    if (!s.nested && s.kind === 'TRANSACTION' && ranCode)
      return new VigilError(
        'statement_uncertain',
        'on a read-only connection a text that ends its transaction and goes on is refused when a statement before reads a table or calls a function: a function could have lifted the read-only default for what follows; send them one at a time',
      );
    if (!runsNoStoredCode(s)) ranCode = true;
  }
  return null;
}
