// Guardrail presets: named sets of denials a connection takes with one line (`preset: strict`).
// A preset only denies; the connection's explicit settings add their own denials on top, and the
// only way to lift one of a preset's is an option made for it (allow_call).
import { STATEMENT_FLAGS, type StatementFlag } from './sql-kinds.js';

export const SQL_GUARDRAIL_PRESETS = ['strict'] as const;
export type SqlGuardrailPreset = (typeof SQL_GUARDRAIL_PRESETS)[number];

export interface PresetRules {
  /** Statement kinds denied outright. */
  readonly denyKinds: readonly string[];
  readonly denyUnboundedWrites: boolean;
  /** Deny SQL the parser cannot read (UNKNOWN): what Vigil cannot parse, it cannot judge. */
  readonly denyUnparsed: boolean;
  readonly denyFlags: readonly StatementFlag[];
}

/**
 * `strict`, for agents and anyone who should only read and change rows: no DROP or TRUNCATE, no
 * UPDATE/DELETE without a column in WHERE, and nothing that can hide SQL from the parser or reach
 * outside the database (every statement flag).
 */
const STRICT: PresetRules = {
  denyKinds: ['DROP', 'TRUNCATE'],
  denyUnboundedWrites: true,
  denyUnparsed: true,
  denyFlags: STATEMENT_FLAGS,
};

export function presetRules(preset: SqlGuardrailPreset, options: { allowCall: boolean }): PresetRules {
  switch (preset) {
    case 'strict':
      return options.allowCall
        ? { ...STRICT, denyFlags: STRICT.denyFlags.filter((f) => f !== 'call') }
        : STRICT;
  }
}
