// Builds the masker from the validated configuration, the fingerprint key and the credentials Vigil
// injects (resolved by the server; this module does no I/O).
import type { VigilConfig } from '../core/config.js';
import type { KnownSecret } from './known-secrets.js';
import { createMasker, type Masker } from './masker.js';
import type { SqlReading } from './sql-tokens.js';

export interface MaskerFromConfigInput {
  readonly config: Pick<VigilConfig, 'masking' | 'connections'>;
  readonly fingerprintKey: string | Uint8Array;
  /** Injected credentials and resolved `masking.secrets`, with a label each (e.g. the connection name). */
  readonly knownSecrets?: readonly KnownSecret[];
  /** How a connection type's server reads SQL strings (its protocol module says); both when unknown. */
  readonly sqlReadingOf?: (connectionType: string) => SqlReading | undefined;
  /** Told the rule id of every replacement (see MaskerOptions.onReplaced). */
  readonly onReplaced?: (ruleId: string) => void;
}

export function createMaskerFromConfig(input: MaskerFromConfigInput): Masker {
  const { masking, connections } = input.config;
  return createMasker({
    fingerprintKey: input.fingerprintKey,
    customRules: masking.rules,
    disabledRules: masking.disabled_rules,
    enabledRules: masking.enabled_rules,
    allow: masking.allow,
    connections: connections.map((c) => {
      const sqlReading = input.sqlReadingOf?.(c.type);
      return sqlReading !== undefined ? { ...c, sqlReading } : c;
    }),
    knownSecrets: input.knownSecrets ?? [],
    ...(masking.secret_names !== undefined ? { secretNames: masking.secret_names } : {}),
    ...(input.onReplaced ? { onReplaced: input.onReplaced } : {}),
  });
}
