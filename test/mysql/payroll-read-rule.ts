// The policy of the MySQL attacker tests that try to read a table around a rule: reads of payroll
// on the my connection are denied (`no-payroll-reads`), whatever statement kind carries them.
export const NO_PAYROLL_READS = {
  policy: {
    rules: [
      {
        name: 'no-payroll-reads',
        match: { connections: ['my'], statement_kinds: ['SELECT'], tables: ['payroll'] },
        action: 'deny',
      },
    ],
  },
};
