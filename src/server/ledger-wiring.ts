// What follows the ledger once events are committed: the signed checkpoints (and their witnesses)
// and the SIEM sinks. Each reads committed events from the store on its own; a commit only wakes it.
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { VigilConfig } from '../core/config.js';
import { toVigilError } from '../core/errors.js';
import type { StoreBundle } from '../core/ports.js';
import { anchorPath } from '../ledger/anchor.js';
import { Checkpointer } from '../ledger/checkpointer.js';
import { loadLedgerKeys } from '../ledger/keyring.js';
import type { Recorder } from '../ledger/recorder.js';
import { logOrigin } from '../ledger/tlog-checkpoint.js';
import { SiemService } from '../siem/siem-service.js';
import type { LoadedConfig } from './load-config.js';
import { resolveSecret } from './load-config.js';
import type { ReplicaMembership } from './replica-membership.js';
import { type WitnessWiring, wireWitnesses } from './witness-wiring.js';

export interface LedgerFollowers {
  readonly ledgerKeys: ReturnType<typeof loadLedgerKeys>;
  readonly checkpointer: Checkpointer;
  readonly witnesses: WitnessWiring;
  readonly siem: SiemService;
}

export interface LedgerFollowerDeps {
  readonly loaded: LoadedConfig;
  readonly baseDir: string;
  readonly store: StoreBundle;
  readonly recorder: Recorder;
  readonly membership: ReplicaMembership;
  readonly logger: Logger;
}

/** Starts the checkpointer (the lead replica signs), its witnesses and the SIEM forwarders. */
export async function startLedgerFollowers(deps: LedgerFollowerDeps): Promise<LedgerFollowers> {
  const { loaded, baseDir, store, recorder, membership, logger } = deps;
  const config: VigilConfig = loaded.config;
  const ledgerKeys = loadLedgerKeys(
    loaded.dataDir,
    config.ledger.signing_key
      ? resolveSecret(config.ledger.signing_key, baseDir)
      : process.env.VIGIL_LEDGER_SIGNING_KEY || undefined,
  );
  const checkpointer = new Checkpointer({
    store: store.ledger,
    recorder,
    signer: ledgerKeys.signer,
    intervalMs: config.ledger.checkpoint_interval,
    anchorFile: anchorPath(loaded.dataDir, config.ledger.anchor_file),
    webhook: config.ledger.anchor_webhook,
    source: store.eventSource,
    origin: logOrigin(config.ledger.origin, ledgerKeys.keyring, ledgerKeys.signer.keyId),
    lead: () => membership.lead(),
    // The code and details too: a tampered store (`ledger_tampered`, with its reason) is for alerts to match.
    onError: (err, what) => {
      const e = toVigilError(err);
      logger.error({ err: e.message, code: e.code, details: e.details, what }, 'ledger checkpoint problem');
    },
  });
  await checkpointer.start();
  const witnesses = wireWitnesses(config, loaded.dataDir, checkpointer, store.eventSource, logger);
  const siem = new SiemService({
    config: config.siem,
    dataDir: loaded.dataDir,
    source: store.eventSource,
    ledgerSize: () => recorder.size,
    resolveSecret: (ref) => resolveSecret(ref, baseDir),
    resolvePath: (path) => (isAbsolute(path) ? path : resolve(baseDir, path)),
    onError: (sink, message) => logger.warn({ sink, err: message }, 'SIEM delivery problem'),
  });
  recorder.onCommit(() => siem.wake());
  siem.start();
  return { ledgerKeys, checkpointer, witnesses, siem };
}
