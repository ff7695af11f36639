// For masking tests that write the expected line with a mark where a replacement goes: the
// expected text as a pattern, the mark standing for `[MASKED:<rule>:<fingerprint>]`.

/** Where a replacement is expected in an expected line. */
export const MASK = '@@';

export function maskedLinePattern(expected: string, ruleId = 'shell-secret'): RegExp {
  return new RegExp(
    `^${expected
      .replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
      .replaceAll(MASK, `\\[MASKED:${ruleId}:[0-9a-f]{6}\\]`)}$`,
  );
}
