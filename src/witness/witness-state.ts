// What a witness remembers per log: the latest checkpoint it cosigned (size and root). Kept in one
// JSON file, replaced atomically (temp file, fsync, rename), because a witness that forgot would
// cosign a rolled-back log.

import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface CosignedHead {
  readonly size: number;
  /** Root hash, hex. */
  readonly root: string;
}

export class WitnessState {
  readonly #path: string;
  readonly #heads: Map<string, CosignedHead>;

  constructor(path: string) {
    this.#path = path;
    const stored = existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, CosignedHead>)
      : {};
    this.#heads = new Map(Object.entries(stored));
  }

  head(origin: string): CosignedHead | undefined {
    return this.#heads.get(origin);
  }

  /** Durably records the new head before returning (the spec: persist before responding). */
  set(origin: string, head: CosignedHead): void {
    const next = new Map(this.#heads).set(origin, head);
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(next), null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#path);
    // The rename itself must survive a crash too.
    const dir = openSync(dirname(this.#path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.#heads.set(origin, head);
  }
}
