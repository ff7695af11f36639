// The inbox stream reads the store again when the store tells of a change to approvals, without
// waiting for its poll (set to a minute here, so only the notice can be that quick); other topics do
// not make it read; it stops listening when the client goes away.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovalRecord, ApprovalStore, ChangeFeed, ChangeTopic } from '../../core/ports.js';
import type { RouteContext } from '../admin-route.js';
import { approvalStreamRoute } from './approval-stream.js';

class FakeFeed implements ChangeFeed {
  readonly listeners = new Set<(topic: ChangeTopic) => void>();
  subscribe(listener: (topic: ChangeTopic) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(topic: ChangeTopic): void {
    for (const l of this.listeners) l(topic);
  }
}

test('a change notice about approvals pushes the new list at once; other notices do not; closing unsubscribes', async () => {
  const pending: ApprovalRecord[] = [];
  let reads = 0;
  const store = {
    listApprovals: async () => {
      reads++;
      return [...pending];
    },
  } as unknown as ApprovalStore;
  const feed = new FakeFeed();
  const route = approvalStreamRoute({ store, canSee: () => true, pollMs: 60_000, changes: feed });
  const ctx = {
    caller: {
      identity: { subject: 'audrey', kind: 'user', groups: [] },
      roles: ['auditor'],
      scope: null,
      expiresAt: null,
    },
  } as unknown as RouteContext;
  const written: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    write: (chunk: string) => written.push(chunk) > 0,
    end: () => undefined,
  }) as unknown as ServerResponse;
  const result = await route.handle(ctx);
  result.stream!(res, async () => ctx.caller);
  await sleep(20);
  assert.equal(written.length, 1, 'the first list at once');

  pending.push({ id: 'apr-1' } as ApprovalRecord);
  feed.emit('access');
  feed.emit('grants');
  await sleep(20);
  assert.equal(written.length, 1, 'other topics do not make it read');
  feed.emit('approvals');
  await sleep(20);
  assert.equal(written.length, 2, 'the changed list pushed on the notice, long before the poll');
  assert.match(written[1]!, /apr-1/);

  (res as unknown as EventEmitter).emit('close');
  assert.equal(feed.listeners.size, 0, 'unsubscribed when the client went away');
  const readsAfter = reads;
  feed.emit('approvals');
  await sleep(20);
  assert.equal(reads, readsAfter);
});
