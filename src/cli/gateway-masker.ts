// The gateway's masker, built in the CLI from the same configuration, the same known secrets (those
// this process can resolve) and the same fingerprint key, so what the CLI masks reads as the ledger
// does: `vigil rerun` compares re-run requests with their recorded twins, and `vigil users disable`
// stores a reason that may quote a key.
import { dirname } from 'node:path';
import type { Masker } from '../mask/index.js';
import { PROTOCOLS } from '../protocols/index.js';
import { buildMasker, knownSecretRefs } from '../server/build-masker.js';
import { type LoadedConfig, resolveSecret } from '../server/load-config.js';

/** `onMissing` hears of each known secret this process cannot resolve (it is then not masked by value). */
export function gatewayMasker(loaded: LoadedConfig, onMissing: (label: string) => void = () => {}): Masker {
  const baseDir = loaded.path ? dirname(loaded.path) : process.cwd();
  const known = knownSecretRefs(loaded.config).flatMap(({ ref, label }) => {
    try {
      return [{ value: resolveSecret(ref, baseDir), label }];
    } catch {
      onMissing(label);
      return [];
    }
  });
  return buildMasker(loaded.config, loaded.dataDir, baseDir, known, undefined, PROTOCOLS);
}
