// The policy of the attacker tests that try to read a table around a rule: reads of payroll on the
// pg connection are denied (`no-payroll-reads`), whatever statement kind carries them.
export const NO_PAYROLL_READS_RULE = {
  name: 'no-payroll-reads',
  match: { connections: ['pg'], statement_kinds: ['SELECT'], tables: ['payroll'] },
  action: 'deny',
};

/** The configuration overrides for startPgFixture's fourth argument. */
export const NO_PAYROLL_READS = { policy: { rules: [NO_PAYROLL_READS_RULE] } };
