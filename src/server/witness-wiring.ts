// Connects the checkpointer to the configured witnesses and keeps the cosigned checkpoint note that
// `GET /checkpoint` serves: the newest note with every witness cosignature collected for it, or
// the newest note alone while witnesses have not answered for it yet.
import type { Logger } from 'pino';
import type { VigilConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { EventSource } from '../core/ports.js';
import type { Checkpointer } from '../ledger/checkpointer.js';
import { CosignedCheckpoint, cosignedCheckpointPath } from '../ledger/cosigned-checkpoint.js';
import { type NoteKey, parseNote, parseVerifierKey, SIGNATURE_TYPE } from '../ledger/signed-note.js';
import { WitnessClient } from '../ledger/witness-client.js';

export interface WitnessWiring {
  /** What `GET /checkpoint` serves, or null before the first checkpoint. */
  checkpointNote(): string | null;
  /** Waits for submissions in flight (at shutdown, after the last checkpoint). */
  settle(): Promise<void>;
}

export function wireWitnesses(
  config: VigilConfig,
  dataDir: string,
  checkpointer: Checkpointer,
  source: EventSource,
  logger: Logger,
): WitnessWiring {
  const cosigned = new CosignedCheckpoint(cosignedCheckpointPath(dataDir));
  const client =
    config.ledger.witnesses.length === 0
      ? null
      : new WitnessClient({
          witnesses: config.ledger.witnesses.map((w) => ({ url: w.url, key: cosignatureKey(w.vkey) })),
          source,
          onCosigned: (note, _witness, line) => cosigned.add(note, line),
          onError: (err, witness) =>
            logger.warn({ witness, err: (err as Error).message }, 'witness did not cosign the checkpoint'),
        });
  if (client) {
    checkpointer.onCheckpoint(() => {
      const note = checkpointer.latestNote;
      if (note) client.submit(note);
    });
    // The checkpoint kept from before a restart goes to witnesses too, so they learn our size.
    if (checkpointer.latestNote) client.submit(checkpointer.latestNote);
  }
  return {
    checkpointNote() {
      const latest = checkpointer.latestNote;
      const kept = cosigned.note;
      if (latest === null || kept === null) return latest;
      return parseNote(kept)?.text === parseNote(latest)?.text ? kept : latest;
    },
    settle: () => client?.settle() ?? Promise.resolve(),
  };
}

function cosignatureKey(vkey: string): NoteKey {
  const key = parseVerifierKey(vkey);
  if (!key || key.type !== SIGNATURE_TYPE.cosignatureV1) {
    throw new VigilError(
      'config_invalid',
      `ledger.witnesses: ${vkey} is not a witness cosignature verifier key (vigil witness vkey prints one)`,
    );
  }
  return key;
}
