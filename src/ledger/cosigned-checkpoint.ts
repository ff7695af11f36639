// The newest checkpoint note with the witness cosignatures collected for it: one signed note, as
// transparency-log clients expect to fetch it (the log's signature, then the witnesses'). Kept in
// the data directory and replaced atomically; a cosignature for an older checkpoint than the one
// kept is dropped, since a client only needs the newest cosigned view.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseNote } from './signed-note.js';
import { parseCheckpointBody } from './tlog-checkpoint.js';

export const COSIGNED_CHECKPOINT_FILE = 'checkpoint-cosigned.txt';

export function cosignedCheckpointPath(dataDir: string): string {
  return join(dataDir, COSIGNED_CHECKPOINT_FILE);
}

/** The kept note, or null when there is none (no witnesses, or none has cosigned yet). */
export function readCosignedCheckpoint(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export class CosignedCheckpoint {
  readonly #path: string;
  #note: string | null;

  constructor(path: string) {
    this.#path = path;
    this.#note = readCosignedCheckpoint(path);
  }

  get note(): string | null {
    return this.#note;
  }

  /** Adds a (verified) cosignature line for `note`, the log-signed checkpoint note it was made over. */
  add(note: string, line: string): void {
    const incoming = parseNote(note);
    const size = incoming && parseCheckpointBody(incoming.text)?.size;
    if (incoming === null || size === null || size === undefined) return;
    const kept = this.#note === null ? null : parseNote(this.#note);
    const keptSize = kept ? (parseCheckpointBody(kept.text)?.size ?? -1) : -1;
    if (size < keptSize) return;
    const base = kept && kept.text === incoming.text ? this.#note! : note;
    if (base.includes(line)) return;
    this.#write(`${base}${line}`);
  }

  #write(text: string): void {
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#path);
    this.#note = text;
  }
}
