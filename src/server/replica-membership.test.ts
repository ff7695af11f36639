// The replica lease as this process keeps it, against a store that goes away and comes back: the
// process stops writing before its lease could lapse, judges no other replica's lease until it has
// renewed for a whole lease again, and lets go of its sessions and rejoins when its lease was ended.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdoptedSession, ReplicaInfo, ReplicaLeases } from '../core/ports.js';
import { ReplicaMembership } from './replica-membership.js';

const LEASE_MS = 1000;

class FakeLeases implements ReplicaLeases {
  down = false;
  readonly held = new Set<string>();
  readonly expireCalls: number[] = [];
  async register(replica: ReplicaInfo): Promise<void> {
    this.#reach();
    this.held.add(replica.id);
  }
  async renew(id: string): Promise<boolean> {
    this.#reach();
    return this.held.has(id);
  }
  async release(id: string): Promise<void> {
    this.held.delete(id);
  }
  async list(): Promise<ReplicaInfo[]> {
    return [];
  }
  async expire(): Promise<string[]> {
    this.#reach();
    this.expireCalls.push(performance.now());
    return [];
  }
  async adoptOrphans(): Promise<AdoptedSession[]> {
    this.#reach();
    return [];
  }
  async lead(): Promise<boolean> {
    return true;
  }
  #reach(): void {
    if (this.down) throw new Error('the store is out of reach');
  }
}

function membership(leases: FakeLeases, onLeaseLost: () => void = () => undefined): ReplicaMembership {
  return new ReplicaMembership({
    leases,
    leaseMs: LEASE_MS,
    closeAdopted: async () => undefined,
    onLeaseLost,
    onError: () => undefined,
  });
}

test('a store out of reach: writes stop before the lease could lapse, and others are judged only a lease after it is back', async () => {
  const leases = new FakeLeases();
  const m = membership(leases);
  await m.join();
  await m.start();
  try {
    m.assertHeld();
    assert.equal(leases.expireCalls.length, 0, 'not judged at once after joining');
    await sleep(LEASE_MS + 700);
    assert.ok(leases.expireCalls.length > 0, 'judged once settled');

    leases.down = true;
    await sleep(LEASE_MS);
    assert.throws(
      () => m.assertHeld(),
      /replica lease/,
      'no writes once renewals failed for most of a lease',
    );
    leases.down = false;
    const back = performance.now();
    const judgedBefore = leases.expireCalls.length;
    for (let i = 0; i < 50; i++) {
      try {
        m.assertHeld();
        break;
      } catch {
        await sleep(50);
      }
    }
    m.assertHeld();
    for (let i = 0; i < 60 && leases.expireCalls.length === judgedBefore; i++) await sleep(50);
    const firstJudged = leases.expireCalls[judgedBefore];
    assert.ok(firstJudged !== undefined, 'others are judged again eventually');
    assert.ok(
      firstJudged - back >= LEASE_MS - 50,
      `not before a whole lease of renewals (${(firstJudged - back).toFixed(0)} ms after the store came back)`,
    );
  } finally {
    await m.leave();
  }
});

test('a lease ended by another replica: sessions are let go and the process rejoins under a new id', async () => {
  const leases = new FakeLeases();
  let lost = 0;
  const m = membership(leases, () => lost++);
  await m.join();
  await m.start();
  try {
    const first = m.id;
    leases.held.delete(first); // another replica ended it
    for (let i = 0; i < 40 && lost === 0; i++) await sleep(50);
    assert.equal(lost, 1);
    for (let i = 0; i < 40 && m.id === first; i++) await sleep(50);
    assert.notEqual(m.id, first);
    assert.ok(leases.held.has(m.id), 'registered again');
    m.assertHeld();
  } finally {
    await m.leave();
  }
});
