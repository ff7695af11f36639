// The built-in rule catalogue, in priority order: when two rules match at the same offset, the
// earlier one wins, so specific prefixes (sk-ant-) come before general ones (sk-), and structured
// matches (a private key, a URL with a password) before the pieces they contain.
import { CLOUD_KEY_RULES } from './rules/cloud-keys.js';
import { CREDENTIAL_RULES } from './rules/credentials.js';
import { KEY_MATERIAL_RULES } from './rules/key-material.js';
import { PII_RULES } from './rules/pii.js';
import { SAAS_TOKEN_RULES } from './rules/saas-tokens.js';
import type { DetectorRule } from './types.js';

export const BUILTIN_RULES: readonly DetectorRule[] = [
  ...CREDENTIAL_RULES.filter((r) => r.id === 'private-key' || r.id === 'jwt'),
  ...CLOUD_KEY_RULES,
  ...SAAS_TOKEN_RULES,
  ...CREDENTIAL_RULES.filter((r) => r.id !== 'private-key' && r.id !== 'jwt'),
  ...PII_RULES,
  // Last: a rule's match inside a token run is preferred to the run (scanner.ts).
  ...KEY_MATERIAL_RULES,
];

export const BUILTIN_RULE_IDS: readonly string[] = BUILTIN_RULES.map((r) => r.id);
