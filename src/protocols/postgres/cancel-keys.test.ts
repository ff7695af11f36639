// The cancel-key table on its own: a request reaches the server only with a live key and its exact
// secret, and only after the session said the cancel is on record; a mismatch is logged without
// the secret it carried. The whole path through a real server is test/postgres/cancel-record.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { CancelKeys, type CancelListener, type CancelOrigin } from './cancel-keys.js';
import { recordCancel } from './cancel-record.js';
import type { UpstreamTarget } from './upstream-connect.js';

const TARGET: UpstreamTarget = {
  host: '127.0.0.1',
  port: 5432,
  user: null,
  password: null,
  database: null,
  tls: 'disable',
};

function harness() {
  const forwarded: { pid: number; secret: Buffer }[] = [];
  const logged: { obj: Record<string, unknown>; msg: string }[] = [];
  const keys = new CancelKeys(
    { warn: (obj, msg) => logged.push({ obj: obj as Record<string, unknown>, msg }) },
    async (_target, pid, secret) => {
      forwarded.push({ pid, secret });
    },
  );
  return { keys, forwarded, logged };
}

const recorded: CancelListener = async () => true;

test('only a live key with its exact secret is forwarded, with the upstream key; mismatches are logged without the secret', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 4 }),
      fc.array(
        fc.record({
          which: fc.nat(),
          pidFromKey: fc.boolean(),
          secretFromKey: fc.boolean(),
          pid: fc.integer({ min: 0, max: 0x7fffffff }),
          secret: fc.uint8Array({ minLength: 0, maxLength: 6 }),
        }),
        { maxLength: 8 },
      ),
      async (upstreamSecrets, requests) => {
        const { keys, forwarded, logged } = harness();
        const origins: CancelOrigin[] = [];
        const issued = upstreamSecrets.map((s, i) => ({
          upstreamPid: 1000 + i,
          upstreamSecret: Buffer.from(s),
          ...keys.issue(TARGET, 1000 + i, Buffer.from(s), async (origin) => {
            origins.push(origin);
            return true;
          }),
        }));
        for (const r of requests) {
          const key = issued[r.which % issued.length]!;
          const pid = r.pidFromKey ? key.pid : r.pid;
          const secret = r.secretFromKey ? key.secret : Buffer.from(r.secret);
          const live = issued.find((k) => k.pid === pid);
          const matches = live?.secret.equals(secret) === true;
          const before = { forwarded: forwarded.length, logged: logged.length };
          const outcome = await keys.request(pid, secret, '192.0.2.7');
          assert.equal(outcome, matches ? 'forwarded' : 'unknown-key');
          if (matches) {
            assert.deepEqual(forwarded.slice(before.forwarded), [
              { pid: live.upstreamPid, secret: live.upstreamSecret },
            ]);
            assert.deepEqual(origins.at(-1), { peer: '192.0.2.7' });
          } else {
            assert.equal(forwarded.length, before.forwarded, 'nothing reached the server');
            const entry = logged.at(-1)!;
            assert.equal(logged.length, before.logged + 1);
            // Exactly these facts: the secret (a credential) is never among them.
            assert.deepEqual(Object.keys(entry.obj).sort(), ['peer', 'pid', 'reason']);
            assert.equal(entry.obj.pid, pid);
          }
        }
      },
    ),
  );
});

test('the cancel is forwarded only once the session resolved that it is on record', async () => {
  const { keys, forwarded } = harness();
  let commit!: (v: boolean) => void;
  const key = keys.issue(TARGET, 7, Buffer.from('abcd'), () => new Promise<boolean>((r) => (commit = r)));
  const outcome = keys.request(key.pid, key.secret);
  await new Promise((r) => setImmediate(r));
  assert.equal(forwarded.length, 0, 'nothing reaches the server while the record is on its way');
  commit(true);
  assert.equal(await outcome, 'forwarded');
  assert.equal(forwarded.length, 1);
});

test('a cancel that cannot be recorded, or that no session answers, is not forwarded', async () => {
  const { keys, forwarded, logged } = harness();
  const failing = keys.issue(TARGET, 7, Buffer.from('abcd'), async () => {
    throw new VigilError('record_failed', 'the event could not be recorded, so it was not forwarded');
  });
  assert.equal(await keys.request(failing.pid, failing.secret), 'not-recorded');
  assert.match(logged.at(-1)!.msg, /not recorded: not forwarded/);
  const closed = keys.issue(TARGET, 8, Buffer.from('efgh'), async () => false);
  assert.equal(await keys.request(closed.pid, closed.secret), 'not-recorded');
  const silent = keys.issue(TARGET, 9, Buffer.from('ijkl'), () => undefined);
  assert.equal(await keys.request(silent.pid, silent.secret), 'not-recorded');
  assert.equal(forwarded.length, 0);
});

test('cancel() answers at once whether the key matched and forwards in the background; a released key is dead', async () => {
  const { keys, forwarded } = harness();
  const key = keys.issue(TARGET, 7, Buffer.from('abcd'), recorded);
  assert.equal(keys.cancel(key.pid, Buffer.from('abce')), false);
  assert.equal(keys.cancel(key.pid, key.secret), true);
  for (let i = 0; i < 10 && forwarded.length === 0; i++) await new Promise((r) => setImmediate(r));
  assert.equal(forwarded.length, 1);
  keys.release(key.pid);
  assert.equal(await keys.request(key.pid, key.secret), 'unknown-key');
  assert.equal(forwarded.length, 1);
});

test('recordCancel waits for the db.cancel commit and rejects when it fails', async () => {
  const seen: { type: string; payload: JsonObject; options: unknown }[] = [];
  const session = {
    touch: () => undefined,
    observe: async (type: string, payload: JsonObject, options?: unknown) => {
      seen.push({ type, payload, options });
      return null;
    },
  };
  assert.equal(await recordCancel(session, { peer: '::1' }, { inFlight: true, held: false }), true);
  assert.deepEqual(seen, [
    { type: 'db.cancel', payload: { peer: '::1', in_flight: true, held: false }, options: undefined },
  ]);
  const failing = {
    touch: () => undefined,
    observe: async () => {
      throw new VigilError('record_failed', 'no');
    },
  };
  await assert.rejects(recordCancel(failing, { peer: null }, { inFlight: false, held: true }), {
    code: 'record_failed',
  });
});
