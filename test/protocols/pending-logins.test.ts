// The server's bound on connections still logging in, for any TCP module (server/tcp-listener.ts):
// a slot is held from accept until the module says the login is over or the socket closes; a client
// beyond `listeners.max_pending_logins`, or beyond `max_pending_logins_per_source` from its source
// address, gets the module's refusal and is closed; a burst of refusals is one line in the log, not
// one per client, naming the bound, and each refusal is counted in vigil_logins_refused_total by
// bound. A module that reports no login is not counted. With real sockets from several loopback
// addresses (all of 127/8 is local on Linux), the real listener and the real metrics, behind a
// module that logs a client in when told to.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { NO_FACTS } from '../../src/core/actions.js';
import { connectionBase, hostPort } from '../../src/core/config.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { ModuleContext } from '../../src/pipeline/module-context.js';
import type { ProtocolModule } from '../../src/protocols/module.js';
import { protocolRegistry } from '../../src/protocols/registry.js';
import { type RunningProtocols, startProtocols } from '../../src/server/protocol-modules.js';

const LIMIT = 3;
const PER_SOURCE = 2;
const REFUSAL = Buffer.from('BUSY\n');

/**
 * Greets each client with `HELLO`, then ends its login on its first byte: `i` in, `x` a failed
 * login (the promise rejects). The `counted: false` connection reports no login at all.
 */
const doorModule: ProtocolModule = {
  name: 'door',
  connectionTypes: {
    door: z.strictObject({
      type: z.literal('door'),
      ...connectionBase,
      listen: hostPort,
      counted: z.boolean().default(true),
    }),
  },
  actionEvents: [],
  describeAction: () => NO_FACTS,
  async start(_ctx, connections) {
    const tcp = connections.map((c) => ({
      connection: c.name,
      listen: (c as unknown as { listen: string }).listen,
      tooManyLogins: REFUSAL,
      accept(socket: Socket) {
        socket.on('error', () => socket.destroy());
        socket.write('HELLO\n');
        const login = new Promise<void>((resolve, reject) => {
          socket.once('data', (b: Buffer) => (b[0] === 0x69 ? resolve() : reject(new Error('refused'))));
        });
        login.catch(() => undefined);
        if (!(c as unknown as { counted: boolean }).counted) return;
        return login;
      },
    }));
    return { tcp, close: async () => undefined };
  },
};

const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
const logger = {
  info: () => undefined,
  warn: (obj: object, msg: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
  error: () => undefined,
};
const metrics = new GatewayMetrics();
let running: RunningProtocols;

before(async () => {
  const registry = protocolRegistry([doorModule]);
  const config = registry.configSchema.parse({
    listeners: { max_pending_logins: LIMIT, max_pending_logins_per_source: PER_SOURCE },
    connections: [
      { name: 'door', type: 'door', upstream: 'none', listen: '127.0.0.1:0' },
      { name: 'shared', type: 'door', upstream: 'none', listen: '127.0.0.1:0' },
      { name: 'open', type: 'door', upstream: 'none', listen: '127.0.0.1:0', counted: false },
    ],
  });
  running = await startProtocols(registry, config, { logger } as unknown as ModuleContext, metrics);
});
after(() => running.close());

/** A client of `connection` from `from`, and what the listener first said to it ('' when it closed in silence). */
async function arrive(connection: string, from = '127.0.0.1'): Promise<{ socket: Socket; said: string }> {
  const address = running.listeners.find((l) => l.connection === connection)!.address;
  const socket = connect({
    host: '127.0.0.1',
    port: Number(address.slice(address.lastIndexOf(':') + 1)),
    localAddress: from,
  });
  socket.on('error', () => undefined);
  let said = '';
  socket.on('data', (b: Buffer) => {
    said += b.toString();
  });
  await new Promise<void>((resolve) => {
    socket.on('data', () => said.endsWith('\n') && resolve());
    socket.once('close', () => resolve());
  });
  return { socket, said };
}

/** Comes in after the listener has seen `leaving` go: the slot is freed when it sees the close. */
async function arriveOnceFreed(connection: string, from?: string): Promise<{ socket: Socket; said: string }> {
  for (;;) {
    const client = await arrive(connection, from);
    if (client.said === 'HELLO\n') return client;
    client.socket.destroy();
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function refusedCount(connection: string, cap: 'listener' | 'source'): Promise<number> {
  const text = (await metrics.exposition()).body;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`vigil_logins_refused_total{connection="${connection}",cap="${cap}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('beyond the limit a client gets the refusal; slots free as logins end, fail or leave', {
  timeout: 30_000,
}, async () => {
  // Three sources within their shares fill the listener's LIMIT slots.
  const first = await arrive('door');
  const second = await arrive('door');
  const other = await arrive('door', '127.0.0.3');
  for (const c of [first, second, other]) assert.equal(c.said, 'HELLO\n');
  const refusedBefore = await refusedCount('door', 'listener');
  const warnedBefore = warnings.length;
  // A burst of refusals, from a source that holds nothing: the listener's bound.
  for (let i = 0; i < 4; i++) {
    const turned = await arrive('door', '127.0.0.4');
    assert.equal(turned.said, REFUSAL.toString());
    turned.socket.destroy();
  }
  assert.equal((await refusedCount('door', 'listener')) - refusedBefore, 4);
  const logged = warnings.slice(warnedBefore);
  assert.equal(logged.length, 1, JSON.stringify(logged));
  assert.equal(logged[0]!.obj.code, 'too_many_logins');
  assert.equal(logged[0]!.obj.connection, 'door');
  assert.equal(logged[0]!.obj.cap, 'listener');
  assert.equal(logged[0]!.obj.max_pending_logins, LIMIT);

  // A login that succeeds frees its slot, and the client stays connected.
  first.socket.write('i');
  const third = await arriveOnceFreed('door');
  // A login that fails frees its slot.
  second.socket.write('x');
  const fourth = await arriveOnceFreed('door');
  // A client that leaves frees its slot.
  third.socket.destroy();
  const fifth = await arriveOnceFreed('door');
  assert.equal(first.socket.destroyed, false);
  for (const c of [first, second, other, fourth, fifth]) c.socket.destroy();
});

test('one source holding its share cannot stop another from logging in; its own next client is refused', {
  timeout: 30_000,
}, async () => {
  const warnedBefore = warnings.length;
  const held = [await arrive('shared', '127.0.0.2'), await arrive('shared', '127.0.0.2')];
  for (const c of held) assert.equal(c.said, 'HELLO\n');
  // Its next client gets the same refusal as past the listener's bound, counted and logged as the source's.
  const turned = await arrive('shared', '127.0.0.2');
  assert.equal(turned.said, REFUSAL.toString());
  turned.socket.destroy();
  assert.equal(await refusedCount('shared', 'source'), 1);
  assert.equal(await refusedCount('shared', 'listener'), 0);
  const logged = warnings.slice(warnedBefore);
  assert.equal(logged.length, 1, JSON.stringify(logged));
  assert.equal(logged[0]!.obj.code, 'too_many_logins');
  assert.equal(logged[0]!.obj.cap, 'source');
  assert.equal(logged[0]!.obj.source, '127.0.0.2');
  assert.equal(logged[0]!.obj.max_pending_logins_per_source, PER_SOURCE);
  // Another address still gets in, and logs in.
  const elsewhere = await arrive('shared', '127.0.0.1');
  assert.equal(elsewhere.said, 'HELLO\n');
  elsewhere.socket.write('i');
  // The held source's share comes back as its logins end, and all of it once they have all gone.
  held[0]!.socket.write('i');
  const again = await arriveOnceFreed('shared', '127.0.0.2');
  for (const c of [held[1]!, again]) c.socket.destroy();
  const whole = [await arriveOnceFreed('shared', '127.0.0.2'), await arriveOnceFreed('shared', '127.0.0.2')];
  for (const c of [held[0]!, elsewhere, ...whole]) c.socket.destroy();
});

test('a module that reports no login is not bounded', async () => {
  const clients = [];
  for (let i = 0; i < LIMIT + 3; i++) clients.push(await arrive('open'));
  assert.deepEqual(
    clients.map((c) => c.said),
    clients.map(() => 'HELLO\n'),
  );
  for (const c of clients) c.socket.destroy();
});
