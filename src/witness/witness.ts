// A transparency-log witness (https://c2sp.org/tlog-witness): it cosigns a log's checkpoint only if
// the log's own key signed it and it is consistent with the last checkpoint it cosigned for that
// log, so a log that rolls back or forks its history cannot get a cosignature for it. Requests are
// judged one at a time: checking the old size and recording the new head are one atomic step.
import type { KeyObject } from 'node:crypto';
import { cosign } from '../ledger/cosignature.js';
import { verifyConsistency } from '../ledger/merkle-proofs.js';
import { type NoteKey, noteSignedBy, parseNote } from '../ledger/signed-note.js';
import { parseCheckpointBody } from '../ledger/tlog-checkpoint.js';
import { parseAddCheckpoint } from '../ledger/tlog-witness-request.js';
import type { WitnessState } from './witness-state.js';

export interface WitnessOptions {
  /** The witness's name (its cosignature key name), e.g. `witness.example.com/w1`. */
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The logs it witnesses: each log's note verifier key; its name is the log's origin. */
  readonly logs: readonly NoteKey[];
  readonly state: WitnessState;
  readonly now?: () => number;
}

export interface WitnessAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const text = (status: number, body: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body,
});

export class Witness {
  readonly #options: WitnessOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: WitnessOptions) {
    this.#options = options;
  }

  /** Judges one add-checkpoint body; answers are serialised so no two interleave. */
  addCheckpoint(body: string): Promise<WitnessAnswer> {
    const next = this.#queue.then(() => this.#judge(body));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #judge(body: string): WitnessAnswer {
    const request = parseAddCheckpoint(body);
    const note = request && parseNote(request.note);
    const checkpoint = note && parseCheckpointBody(note.text);
    if (!request || !note || !checkpoint) return text(400, 'malformed add-checkpoint request\n');
    const keys = this.#options.logs.filter((k) => k.name === checkpoint.origin);
    if (keys.length === 0) return text(404, `unknown log origin ${checkpoint.origin}\n`);
    if (!keys.some((k) => noteSignedBy(note, k))) {
      return text(403, 'the checkpoint carries no valid signature by a key trusted for its origin\n');
    }
    if (request.oldSize > checkpoint.size) return text(400, 'old size is larger than the checkpoint size\n');
    const { state } = this.#options;
    const head = state.head(checkpoint.origin) ?? { size: 0, root: '' };
    if (request.oldSize !== head.size) {
      return { status: 409, contentType: 'text/x.tlog.size', body: `${head.size}\n` };
    }
    if (head.size === checkpoint.size) {
      if (head.root !== checkpoint.root) return text(409, 'same size, different root: the log forked\n');
    } else if (head.size > 0) {
      const consistent = verifyConsistency(
        head.size,
        checkpoint.size,
        Buffer.from(head.root, 'hex'),
        Buffer.from(checkpoint.root, 'hex'),
        request.proof,
      );
      if (!consistent) return text(422, 'the consistency proof does not verify\n');
    } else if (request.proof.length > 0) {
      return text(422, 'a proof from size 0 must be empty\n');
    }
    state.set(checkpoint.origin, { size: checkpoint.size, root: checkpoint.root });
    const { name, privateKey, publicKey } = this.#options;
    const now = (this.#options.now ?? Date.now)() / 1000;
    return text(200, cosign(note.text, name, privateKey, publicKey, now));
  }
}
