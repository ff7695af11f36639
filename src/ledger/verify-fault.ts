// How verification stops at the first fault: a check throws the fault it found, and the pass
// catches it once and reports it, so each check reads as a sequence of plain assertions.
import type { FaultKind, LedgerFault } from './faults.js';

export class Fault extends Error {
  constructor(readonly fault: LedgerFault) {
    super(fault.message);
  }
}

export const fail = (
  kind: FaultKind,
  message: string,
  at: Omit<LedgerFault, 'kind' | 'message'> = {},
): never => {
  throw new Fault({ kind, message, ...at });
};
