// Trust on first use for upstream host keys: without a configured fingerprint, the first key an
// upstream shows is pinned here (and recorded in the ledger as an ssh.host_key event), and a later
// different key is refused. One JSON file in the data directory, keyed by connection and upstream.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';

const PINS_FILE = join('ssh', 'known_hosts.json');

interface Pin {
  readonly fingerprint: string;
  readonly first_seen: string;
}

export type HostKeyTrust = 'configured' | 'pinned' | 'first-use';

export interface HostKeyCheck {
  readonly trust: HostKeyTrust;
  readonly fingerprint: string;
}

export class HostKeyPins {
  readonly #path: string;

  constructor(dataDir: string) {
    this.#path = join(dataDir, PINS_FILE);
  }

  /**
   * Judges the key an upstream presented. Throws upstream_host_key_changed when it differs from
   * the configured or pinned one; pins it when nothing is known yet.
   */
  check(connection: string, upstream: string, fingerprint: string, configured?: string): HostKeyCheck {
    if (configured !== undefined) {
      if (configured !== fingerprint) throw changed(upstream, configured, fingerprint);
      return { trust: 'configured', fingerprint };
    }
    const pins = this.#read();
    const key = `${connection} ${upstream}`;
    const pin = pins[key];
    if (pin) {
      if (pin.fingerprint !== fingerprint) throw changed(upstream, pin.fingerprint, fingerprint);
      return { trust: 'pinned', fingerprint };
    }
    pins[key] = { fingerprint, first_seen: new Date().toISOString() };
    this.#write(pins);
    return { trust: 'first-use', fingerprint };
  }

  #read(): Record<string, Pin> {
    if (!existsSync(this.#path)) return {};
    const parsed: unknown = JSON.parse(readFileSync(this.#path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, Pin>) : {};
  }

  #write(pins: Record<string, Pin>): void {
    mkdirSync(join(this.#path, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#path);
  }
}

function changed(upstream: string, expected: string, presented: string): VigilError {
  return new VigilError(
    'upstream_host_key_changed',
    `the host key of ${upstream} changed: expected ${expected}, it presented ${presented}`,
    { details: { expected, presented } },
  );
}
