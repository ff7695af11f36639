// Policy without a restart: when vigil.yaml changes (or on SIGHUP) the policy and approvals
// sections are read again and swapped in whole; a file that does not validate changes nothing and
// is reported. Every reload that takes effect is recorded, with a digest of what is now in force,
// so the ledger says which rules judged each action.
import { createHash } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { canonicalJson } from '../core/canonical-json.js';
import type { ApprovalsConfig, PolicyConfig } from '../core/config.js';
import { toVigilError } from '../core/errors.js';
import { loadConfigFile } from './load-config.js';

export interface PolicyReloaderDeps {
  readonly path: string;
  readonly current: { policy: PolicyConfig; approvals: ApprovalsConfig };
  /** Builds and installs the new sections; throws (config_invalid) to keep the old ones. */
  readonly apply: (policy: PolicyConfig, approvals: ApprovalsConfig) => void;
  /** Records the reload in the ledger. */
  readonly record: (facts: { digest: string; rules: string[] }) => Promise<void>;
  readonly logger: { info(o: object, m: string): void; error(o: object, m: string): void };
  readonly intervalMs?: number;
}

export function policyDigest(policy: PolicyConfig, approvals: ApprovalsConfig): string {
  return createHash('sha256').update(canonicalJson({ policy, approvals })).digest('hex');
}

export class PolicyReloader {
  readonly #deps: PolicyReloaderDeps;
  #digest: string;
  #chain: Promise<void> = Promise.resolve();
  readonly #onSignal = () => void this.reload();

  constructor(deps: PolicyReloaderDeps) {
    this.#deps = deps;
    this.#digest = policyDigest(deps.current.policy, deps.current.approvals);
  }

  get digest(): string {
    return this.#digest;
  }

  start(): void {
    // Polling the file's stat survives editors that save by renaming a new file into place.
    watchFile(this.#deps.path, { interval: this.#deps.intervalMs ?? 500, persistent: false }, () => {
      void this.reload();
    });
    process.on('SIGHUP', this.#onSignal);
  }

  stop(): void {
    unwatchFile(this.#deps.path);
    process.off('SIGHUP', this.#onSignal);
  }

  /** Reads the file again; resolves once the new policy is in force (or was refused). */
  reload(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#reloadOnce());
    return this.#chain;
  }

  async #reloadOnce(): Promise<void> {
    try {
      const { config } = loadConfigFile(this.#deps.path);
      const digest = policyDigest(config.policy, config.approvals);
      if (digest === this.#digest) return;
      this.#deps.apply(config.policy, config.approvals);
      this.#digest = digest;
      const rules = config.policy.rules.map((r) => r.name);
      await this.#deps.record({ digest, rules });
      this.#deps.logger.info({ digest, rules: rules.length }, 'policy reloaded');
    } catch (err) {
      const error = toVigilError(err, 'config_invalid');
      this.#deps.logger.error(
        { code: error.code, err: error.message },
        'policy reload refused: the previous policy stays in force',
      );
    }
  }
}
