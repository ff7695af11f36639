// Trust on first use for upstream host keys: without a configured fingerprint, the first key an
// upstream shows is pinned (and recorded in the ledger as an ssh.host_key event), and a later
// different key is refused. Pins are kept in the store's module state (namespace `ssh-host-keys`,
// keyed by connection and upstream), so every replica on one store trusts the same key; a pin file
// an earlier version kept in the data directory is moved into the store at start.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/ports.js';

const NAMESPACE = 'ssh-host-keys';
const LEGACY_FILE = join('ssh', 'known_hosts.json');

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
  readonly #state: ModuleStateStore;

  constructor(state: ModuleStateStore) {
    this.#state = state;
  }

  /** Moves the pins of an earlier version's file into the store (pins already there win). */
  async importLegacy(dataDir: string): Promise<void> {
    const file = join(dataDir, LEGACY_FILE);
    if (!existsSync(file)) return;
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return;
    for (const [key, pin] of Object.entries(parsed as Record<string, Pin>)) {
      if (typeof pin?.fingerprint !== 'string') continue;
      await this.#state.putIfAbsent(NAMESPACE, key, pin as unknown as JsonObject);
    }
  }

  /**
   * Judges the key an upstream presented. Rejects with upstream_host_key_changed when it differs
   * from the configured or pinned one; pins it when nothing is known yet.
   */
  async check(
    connection: string,
    upstream: string,
    fingerprint: string,
    configured?: string,
  ): Promise<HostKeyCheck> {
    if (configured !== undefined) {
      if (configured !== fingerprint) throw changed(upstream, configured, fingerprint);
      return { trust: 'configured', fingerprint };
    }
    const key = `${connection} ${upstream}`;
    const pin = (await this.#state.get(NAMESPACE, key)) as Pin | null;
    if (pin) {
      if (pin.fingerprint !== fingerprint) throw changed(upstream, pin.fingerprint, fingerprint);
      return { trust: 'pinned', fingerprint };
    }
    const fresh: Pin = { fingerprint, first_seen: new Date().toISOString() };
    // Two replicas meeting the upstream first at once: the first write is the pin, and the one
    // whose key it is not refuses, as it would a changed key.
    const kept = (await this.#state.putIfAbsent(
      NAMESPACE,
      key,
      fresh as unknown as JsonObject,
    )) as unknown as Pin;
    if (kept.fingerprint !== fingerprint) throw changed(upstream, kept.fingerprint, fingerprint);
    return { trust: 'first-use', fingerprint };
  }
}

function changed(upstream: string, expected: string, presented: string): VigilError {
  return new VigilError(
    'upstream_host_key_changed',
    `the host key of ${upstream} changed: expected ${expected}, it presented ${presented}`,
    { details: { expected, presented } },
  );
}
