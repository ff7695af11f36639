// Which rules apply where: the built-in catalogue (minus default-off rules) and the custom rules of
// the configuration, adjusted globally and per connection by enabled_rules and disabled_rules.
import { VigilError } from '../core/errors.js';
import { BUILTIN_RULES } from './catalogue.js';
import { nameSecretGroup } from './pattern-rewrite.js';
import { hasNestedQuantifier } from './regex-guard.js';
import type { DetectorRule, ValidatorName } from './types.js';

/** The longest match assumed for a custom rule (its pattern cannot be measured). */
export const CUSTOM_RULE_MAX_LENGTH = 512;

/** A custom rule as written in `masking.rules` (src/core/config.ts). */
export interface CustomRuleInput {
  readonly id: string;
  readonly description?: string;
  readonly pattern: string;
  readonly group?: number;
  readonly validator?: 'luhn' | 'iban' | 'entropy';
  readonly replacement?: string;
}

export interface RuleSelection {
  readonly enabled?: readonly string[];
  readonly disabled?: readonly string[];
}

export function customRule(input: CustomRuleInput): DetectorRule {
  const pattern = nameSecretGroup(input.pattern, input.group ?? 0, input.id);
  try {
    new RegExp(pattern, 'd');
  } catch (err) {
    throw new VigilError(
      'config_invalid',
      `masking rule "${input.id}": invalid pattern: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (hasNestedQuantifier(pattern)) {
    throw new VigilError(
      'config_invalid',
      `masking rule "${input.id}": a repeated group contains an unbounded quantifier (like (a+)+), which can backtrack catastrophically on hostile input; bound the inner quantifier ({1,64})`,
    );
  }
  return {
    id: input.id,
    description: input.description ?? '',
    category: 'secret',
    pattern,
    maxLength: CUSTOM_RULE_MAX_LENGTH,
    ...(input.validator ? { validator: input.validator as ValidatorName } : {}),
    ...(input.replacement !== undefined ? { replacement: input.replacement } : {}),
  };
}

/** The rules in force: custom rules first (they are the most specific), then the catalogue. */
export function selectRules(
  custom: readonly DetectorRule[],
  global: RuleSelection,
  connection: RuleSelection = {},
): DetectorRule[] {
  const known = new Set([...BUILTIN_RULES.map((r) => r.id), ...custom.map((r) => r.id)]);
  for (const id of [
    ...(global.enabled ?? []),
    ...(global.disabled ?? []),
    ...(connection.enabled ?? []),
    ...(connection.disabled ?? []),
  ]) {
    if (!known.has(id)) throw new VigilError('config_invalid', `masking: unknown rule "${id}"`);
  }
  const on = (rule: DetectorRule): boolean => {
    if (connection.disabled?.includes(rule.id)) return false;
    if (connection.enabled?.includes(rule.id)) return true;
    if (global.disabled?.includes(rule.id)) return false;
    return !rule.defaultOff || (global.enabled?.includes(rule.id) ?? false);
  };
  return [...custom, ...BUILTIN_RULES].filter(on);
}
