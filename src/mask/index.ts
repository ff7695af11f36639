// Masking before storage: the detector catalogue, known secrets, custom rules, fingerprinted
// replacements, payload and stream maskers. See docs/masking.md.
export { BUILTIN_RULE_IDS, BUILTIN_RULES } from './catalogue.js';
export { createMaskerFromConfig, type MaskerFromConfigInput } from './from-config.js';
export type { KnownSecret } from './known-secrets.js';
export { logLineMasker, maskError } from './log-masking.js';
export { createMasker, type Masker, type MaskerOptions, type MaskResult } from './masker.js';
export type { CustomRuleInput } from './rule-set.js';
export { SqlConnectionState, type SqlDialect } from './sql-connection-state.js';
export type { SqlReading } from './sql-tokens.js';
export type { StreamMasker } from './stream-masker.js';
export type { DetectorRule, Finding, RuleCategory, RuleVector, ValidatorName } from './types.js';
export { iban, luhn, shannonEntropy } from './validators.js';
export {
  type EchoMasker,
  type EchoScope,
  echoedRows,
  echoMasker,
  WITHHELD_MESSAGE,
} from './value-echoes.js';
