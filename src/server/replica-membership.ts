// This gateway process as one replica of several on one store (docs/scale-out.md, ADR 0008). It
// holds a lease in the store, renewed every third of its length, and owns the sessions it opens.
// Every half lease it ends the leases that lapsed and adopts the open sessions no lease covers any
// more, which the gateway then closes as crash-recovered: a dead replica's sessions are closed by
// another, never while their owner lives. A live replica whose renewals fail stops writing before
// its lease can lapse (the recorder's fence), so nothing it records lands after another replica
// closed its sessions; if it finds its lease ended anyway it lets go of its sessions and rejoins
// under a new id.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { VigilError } from '../core/errors.js';
import { nowIso } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { AdoptedSession, ReplicaInfo, ReplicaLeases } from '../core/ports.js';

export interface ReplicaMembershipOptions {
  readonly leases: ReplicaLeases;
  /** Lease length in ms (config replica.lease). */
  readonly leaseMs: number;
  /** Closes sessions this replica adopted (records their crash-recovered end). */
  readonly closeAdopted: (adopted: readonly AdoptedSession[], by: string) => Promise<void>;
  /** This replica lost its lease: its sessions were (or are being) closed by another replica. */
  readonly onLeaseLost: () => void;
  readonly onError: (err: unknown, what: 'renew' | 'recover') => void;
}

export class ReplicaMembership {
  readonly #options: ReplicaMembershipOptions;
  #info: ReplicaInfo;
  /** Monotonic time (performance.now) until which the lease is surely held: from a renewal's sending. */
  #heldUntil = 0;
  /** Since when every renewal succeeded (null after a failed one): judging others waits for a lease of it. */
  #healthySince: number | null = null;
  #renewer: NodeJS.Timeout | null = null;
  #sweeper: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #stopped = false;

  constructor(options: ReplicaMembershipOptions) {
    this.#options = options;
    this.#info = describeProcess(newId('r'));
  }

  get id(): string {
    return this.#info.id;
  }

  /** Takes the lease; then ends at once the leases of this host's earlier processes that are gone. */
  async join(): Promise<void> {
    await this.#register();
    const gone = (await this.#options.leases.list()).filter((r) => isGoneFromThisHost(r, this.#info));
    if (gone.length > 0) await this.#options.leases.expire(gone.map((r) => r.id));
  }

  /** Recovers what is orphaned now (awaited at start), then keeps the lease and recovers periodically. */
  async start(): Promise<void> {
    await this.recover();
    const lease = this.#options.leaseMs;
    this.#renewer = setInterval(() => void this.#renew(), Math.floor(lease / 3));
    this.#renewer.unref();
    this.#sweeper = setInterval(
      () => {
        this.recover().catch((err) => this.#options.onError(err, 'recover'));
      },
      Math.floor(lease / 2),
    );
    this.#sweeper.unref();
  }

  /**
   * Throws unless the lease is surely held now. The margin of a tenth of the lease covers a write
   * that passes this check and then takes a while to commit.
   */
  assertHeld(): void {
    if (performance.now() < this.#heldUntil - this.#options.leaseMs / 10) return;
    throw new VigilError(
      'record_failed',
      'this gateway could not renew its replica lease in time; nothing is recorded or forwarded until it does',
    );
  }

  /** Takes or keeps the checkpoint signer's lease: one replica signs at a time. */
  async lead(): Promise<boolean> {
    if (this.#stopped) return false;
    return this.#options.leases.lead(this.#info.id, this.#options.leaseMs);
  }

  /** Ends lapsed leases and adopts and closes the sessions left without a live owner. */
  recover(): Promise<void> {
    this.#sweeping ??= this.#recover().finally(() => {
      this.#sweeping = null;
    });
    return this.#sweeping;
  }

  async #recover(): Promise<void> {
    if (this.#stopped) return;
    const leases = this.#options.leases;
    // After the store was out of reach, every lease may read as lapsed though its replica lives and
    // is about to renew. Leases are judged only by a replica that itself renewed for a whole lease
    // since, which gives the others that lease to renew too.
    const settled =
      this.#healthySince !== null && performance.now() - this.#healthySince >= this.#options.leaseMs;
    if (settled) await leases.expire();
    // Sessions written before owners were recorded (or by a CLI that died mid-write) have none: they
    // are adopted once they have been quiet for a whole lease.
    const quietSince = nowIso(Date.now() - this.#options.leaseMs);
    const adopted = await leases.adoptOrphans(this.#info.id, quietSince);
    if (adopted.length > 0) await this.#options.closeAdopted(adopted, this.#info.id);
  }

  /** Stops renewing and gives the lease up (its sessions were closed by the shutdown). */
  async leave(): Promise<void> {
    this.#stopped = true;
    if (this.#renewer) clearInterval(this.#renewer);
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.#sweeping?.catch(() => undefined);
    await this.#options.leases.release(this.#info.id).catch(() => undefined);
  }

  async #register(): Promise<void> {
    const sent = performance.now();
    await this.#options.leases.register(this.#info, this.#options.leaseMs);
    this.#heldUntil = sent + this.#options.leaseMs;
    this.#healthySince = sent;
  }

  async #renew(): Promise<void> {
    if (this.#stopped) return;
    const sent = performance.now();
    try {
      if (await this.#options.leases.renew(this.#info.id, this.#options.leaseMs)) {
        this.#heldUntil = sent + this.#options.leaseMs;
        this.#healthySince ??= sent;
        return;
      }
      // Ended by another replica: whatever this one had open is being closed there. Let go of it,
      // and rejoin under a new id (the old one's sessions stay orphans for whoever adopts them).
      this.#heldUntil = 0;
      this.#options.onLeaseLost();
      this.#info = describeProcess(newId('r'));
      await this.#register();
    } catch (err) {
      this.#healthySince = null;
      this.#options.onError(err, 'renew');
    }
  }
}

function describeProcess(id: string): ReplicaInfo {
  return { id, host: hostname(), pid: process.pid, bootId: processSpace(), startedAt: nowIso() };
}

/**
 * The boot and pid namespace this process runs in: a pid names one process only within them. Empty
 * where unknown (not Linux), which turns the same-host shortcut off.
 */
function processSpace(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return '';
  }
}

/** An earlier process of this host (same boot, same pid namespace) that no longer exists. */
function isGoneFromThisHost(r: ReplicaInfo, self: ReplicaInfo): boolean {
  if (r.id === self.id || self.bootId === '' || r.host !== self.host || r.bootId !== self.bootId)
    return false;
  if (r.pid === self.pid) return false;
  try {
    process.kill(r.pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists under another user. Only "no such process" proves it gone.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
