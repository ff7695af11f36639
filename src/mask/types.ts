// The shapes shared by the detector catalogue, the scanner and the maskers.

export const RULE_CATEGORIES = ['secret', 'pii'] as const;
export type RuleCategory = (typeof RULE_CATEGORIES)[number];

export const VALIDATOR_NAMES = [
  'luhn',
  'card',
  'iban',
  'entropy',
  'random-token',
  'auth-credential',
  'phone',
] as const;
export type ValidatorName = (typeof VALIDATOR_NAMES)[number];

/** Text that must (hits) or must not (misses) be masked by a rule; `secret` is the part replaced. */
export interface RuleVector {
  readonly text: string;
  readonly secret?: string;
}

export interface DetectorRule {
  /** Kebab-case, stable: it appears in every replacement and in the configuration. */
  readonly id: string;
  readonly description: string;
  readonly category: RuleCategory;
  /**
   * A JavaScript regular expression source, without flags. Named groups `s`, `s_1`, `s_2`, ... hold
   * the secret (the first one defined wins); without them the whole match is the secret.
   */
  readonly pattern: string;
  readonly validator?: ValidatorName;
  /** `token-runs`: found by the token-run pass (token-runs.ts), not by `pattern` (empty). */
  readonly engine?: 'token-runs';
  /**
   * Where a match can be: literals (token prefixes, keywords) found first with one cheap search
   * shared by many rules; the pattern is then tried from up to `back` characters before each. A
   * rule without an anchor is searched with its own pattern.
   */
  readonly anchors?: readonly RuleAnchor[];
  /** A secret found by this (keyword) rule that is a prefixed token is reported as that token's rule. */
  readonly refine?: boolean;
  /** Off unless enabled in the configuration (e.g. ip-address). */
  readonly defaultOff?: boolean;
  /** The longest text a match can span: the streaming window is derived from it. */
  readonly maxLength: number;
  /**
   * For a rule without anchors: the characters a match in progress at the end of a stream can end
   * with (a regex character class); a stream holds back only such a trailing run. Without it, a
   * stream holds back `maxLength` characters.
   */
  readonly tailChars?: string;
  /** Custom replacement; `{rule}` and `{fingerprint}` are filled in. */
  readonly replacement?: string;
  /**
   * For secrets longer than the window (a long PEM body): a pattern tried right after a match
   * for which `continues` is true, so the rest is masked in bounded pieces.
   */
  readonly continuation?: { readonly pattern: string; readonly continues: (match: string) => boolean };
  readonly vectors?: { readonly hits: readonly RuleVector[]; readonly misses: readonly string[] };
}

export interface RuleAnchor {
  readonly literals: readonly string[];
  readonly caseInsensitive?: boolean;
  /** How far before the literal a match may start. */
  readonly back?: number;
  /**
   * The characters that text between a match's start and its literal can be (a regex character
   * class): a stream then holds back only such a trailing run before a literal not yet seen,
   * rather than `back` characters of any text.
   */
  readonly backChars?: string;
}

/** One masked span of the input. */
export interface Finding {
  readonly ruleId: string;
  /** Offset of the replaced text in the input, in UTF-16 code units. */
  readonly start: number;
  readonly end: number;
  /** First 6 hex of HMAC-SHA256(fingerprint key, secret). */
  readonly fingerprint: string;
  /** For known secrets: the label they were registered with. */
  readonly label?: string;
  /** Why it was masked, for `vigil mask-test --explain`: entropy, character set, a nearby word, a column or key name. */
  readonly detail?: string;
}
