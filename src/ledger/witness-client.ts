// Asks the configured witnesses to cosign each checkpoint note (c2sp.org/tlog-witness), with a
// consistency proof from the size each last cosigned. The proof is built from that size's compact
// range plus the leaves appended since, so a checkpoint reads only what is new. The note with every
// valid cosignature collected is kept (cosigned-checkpoint.ts) for `GET /checkpoint` and `vigil verify`.
// Best effort by design: a witness that is down or refuses never holds up recording; it is reported.
import { fetch } from 'undici';
import type { EventSource } from '../core/ports.js';
import { consistencyProofFromParts } from './consistency-from-range.js';
import { cosignedAt } from './cosignature.js';
import { CompactRange, type Digest, leafHashFromHex } from './merkle.js';
import { type NoteKey, parseNote } from './signed-note.js';
import { parseCheckpointBody } from './tlog-checkpoint.js';
import { encodeAddCheckpoint } from './tlog-witness-request.js';

export interface ConfiguredWitness {
  /** The witness's submission prefix: requests go to `<url>/add-checkpoint`. */
  readonly url: string;
  /** Its cosignature verifier key (type 0x04); its name is the witness's name. */
  readonly key: NoteKey;
}

export interface WitnessClientOptions {
  readonly witnesses: readonly ConfiguredWitness[];
  readonly source: EventSource;
  /** Receives each cosignature line that verified, with the note it is for. */
  readonly onCosigned: (note: string, witness: string, line: string) => void;
  readonly onError: (err: unknown, witness: string) => void;
  readonly timeoutMs?: number;
}

interface WitnessView {
  /** The size this witness last cosigned, as it told us; null until it has. */
  size: number | null;
  /** The compact range at `size` (rebuilt from the store when missing). */
  range: CompactRange | null;
  /** The newest note waiting to be sent; older ones are skipped. */
  pending: string | null;
  running: Promise<void> | null;
}

const READ_BATCH = 10_000;

export class WitnessClient {
  readonly #options: WitnessClientOptions;
  readonly #views = new Map<ConfiguredWitness, WitnessView>();

  constructor(options: WitnessClientOptions) {
    this.#options = options;
    for (const w of options.witnesses)
      this.#views.set(w, { size: null, range: null, pending: null, running: null });
  }

  /** Queues a new checkpoint note for every witness (a witness still busy gets only the newest). */
  submit(note: string): void {
    for (const [witness, view] of this.#views) {
      view.pending = note;
      view.running ??= this.#drain(witness, view).finally(() => {
        view.running = null;
      });
    }
  }

  /** Waits for every submission in flight. */
  async settle(): Promise<void> {
    while ([...this.#views.values()].some((v) => v.running)) {
      await Promise.all([...this.#views.values()].map((v) => v.running));
    }
  }

  async #drain(witness: ConfiguredWitness, view: WitnessView): Promise<void> {
    while (view.pending !== null) {
      const note = view.pending;
      view.pending = null;
      try {
        await this.#send(witness, view, note, true);
      } catch (err) {
        this.#options.onError(err, witness.key.name);
      }
    }
  }

  async #send(witness: ConfiguredWitness, view: WitnessView, note: string, mayRetry: boolean): Promise<void> {
    const body = parseCheckpointBody(parseNote(note)?.text ?? '');
    if (!body) throw new Error('not a checkpoint note');
    const old = view.size ?? 0;
    if (old > body.size) {
      throw new Error(`the witness has cosigned ${old} leaves, more than this checkpoint's ${body.size}`);
    }
    const newLeaves = await this.#leaves(old, body.size);
    const range = await this.#rangeAt(view, old);
    const proof = consistencyProofFromParts(range.blocks(), old, newLeaves);
    const res = await fetch(`${witness.url.replace(/\/$/, '')}/add-checkpoint`, {
      method: 'POST',
      body: encodeAddCheckpoint({ oldSize: old, proof, note }),
      signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    if (res.status === 409 && res.headers.get('content-type')?.startsWith('text/x.tlog.size') && mayRetry) {
      // The witness has another size on record (first contact, or a restart of either side).
      const size = Number(text.trim());
      if (!Number.isSafeInteger(size) || size < 0)
        throw new Error(`witness answered 409 with ${text.trim()}`);
      view.size = size;
      view.range = null;
      return this.#send(witness, view, note, false);
    }
    if (res.status !== 200) throw new Error(`witness answered ${res.status}: ${text.trim().slice(0, 200)}`);
    // Keep only a line that is a valid cosignature by this witness's key over this note.
    const line = text.split('\n').find((l) => {
      const one = l.startsWith('\u2014 ') ? parseNote(`${note}${l}\n`) : null;
      return one !== null && cosignedAt(one, witness.key) !== null;
    });
    if (line === undefined) throw new Error('the witness answered without a valid cosignature by its key');
    for (const leaf of newLeaves) range.appendLeaf(leaf);
    view.size = body.size;
    view.range = range;
    this.#options.onCosigned(note, witness.key.name, `${line}\n`);
  }

  async #rangeAt(view: WitnessView, size: number): Promise<CompactRange> {
    if (view.range && view.range.size === size) return view.range;
    // Folded as read: rebuilding the range of a large log never holds its leaves in memory.
    const range = new CompactRange();
    await this.#read(0, size, (hash) => range.appendEventHash(hash));
    view.range = range;
    return range;
  }

  async #leaves(from: number, to: number): Promise<Digest[]> {
    const leaves: Digest[] = [];
    await this.#read(from, to, (hash) => leaves.push(leafHashFromHex(hash)));
    return leaves;
  }

  async #read(from: number, to: number, each: (eventHash: string) => void): Promise<void> {
    for (let at = from; at < to; ) {
      const rows = await this.#options.source.readEvents(at, Math.min(READ_BATCH, to - at), {
        payloads: false,
      });
      if (rows.length === 0) throw new Error(`the store holds fewer than ${to} events`);
      for (const row of rows) {
        if (row.index !== at) throw new Error(`expected event ${at}, read ${row.index}`);
        each(row.hash);
        at++;
        if (at === to) break;
      }
    }
  }
}
