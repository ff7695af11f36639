// Assertions already used to sign in, remembered until they could no longer be accepted anyway
// (their last NotOnOrAfter plus the clock skew), so a captured Response cannot be posted twice.
// Kept in memory and appended to a file in the data directory (fsynced before the sign-in is
// answered), so a restart does not forget them; the file is compacted on start. One gateway owns
// its file: replicas sharing a PostgreSQL store each keep their own (see docs/identity.md).
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';

export class UsedAssertions {
  readonly #file: string;
  readonly #until = new Map<string, number>();
  readonly #now: () => number;

  constructor(file: string, now: () => number = Date.now) {
    this.#file = file;
    this.#now = now;
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const [key, until] = line.split(' ');
        const ms = Number(until);
        if (key && /^[0-9a-f]{64}$/.test(key) && Number.isFinite(ms)) this.#until.set(key, ms);
      }
    }
    this.#sweep();
    this.#compact();
  }

  get size(): number {
    return this.#until.size;
  }

  has(issuer: string, assertionId: string): boolean {
    const until = this.#until.get(keyOf(issuer, assertionId));
    return until !== undefined && until > this.#now();
  }

  /**
   * Remembers the assertion; false if it was already used. Synchronous from check to write, so two
   * posts of one Response racing each other cannot both pass.
   */
  use(issuer: string, assertionId: string, untilMs: number): boolean {
    this.#sweep();
    const key = keyOf(issuer, assertionId);
    if ((this.#until.get(key) ?? 0) > this.#now()) return false;
    this.#until.set(key, untilMs);
    const fd = openSync(this.#file, 'a', 0o600);
    try {
      appendFileSync(fd, `${key} ${untilMs}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, until] of this.#until) if (until <= now) this.#until.delete(key);
  }

  #compact(): void {
    const temp = `${this.#file}.tmp`;
    writeFileSync(temp, [...this.#until].map(([key, until]) => `${key} ${until}\n`).join(''), {
      mode: 0o600,
    });
    renameSync(temp, this.#file);
  }
}

/** Hashed, so whatever an identity provider puts in an ID never shapes a line of the file. */
function keyOf(issuer: string, assertionId: string): string {
  return createHash('sha256').update(issuer).update('\u0000').update(assertionId).digest('hex');
}
