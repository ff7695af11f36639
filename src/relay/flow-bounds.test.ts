// What a client can make the relay hold, over real sockets: bytes flooded while the handshake is
// busy elsewhere, and messages pipelined faster than the target answers them. Until 5 December
// both grew without bound (64 MiB read during a login; 3 million unanswered messages, 380 MB, on a
// database connection).
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import type { ModuleSession } from '../pipeline/module-context.js';
import { HandshakeWaiter } from './handshake-waiter.js';
import type { MessageFramer } from './relay-protocol.js';
import { WriteAheadRelay } from './write-ahead-relay.js';

/** Two connected sockets: [the side Vigil holds, the peer]. */
async function socketPair(): Promise<[Socket, Socket, () => void]> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const peer = connect({ host: '127.0.0.1', port });
  const ours = await accepted;
  listener.close();
  peer.on('error', () => undefined);
  ours.on('error', () => undefined);
  const close = () => {
    ours.destroy();
    peer.destroy();
  };
  return [ours, peer, close];
}

const tick = () => new Promise((r) => setImmediate(r));

/** A framer that never completes a message: it only keeps what it is given, as with a partial one. */
class HoardingFramer implements MessageFramer<Buffer> {
  buffered = 0;
  push(chunk: Buffer): void {
    this.buffered += chunk.length;
  }
  next(): Buffer | null {
    return null;
  }
}

/** One-byte messages. */
class ByteFramer implements MessageFramer<number> {
  #bytes: number[] = [];
  get buffered(): number {
    return this.#bytes.length;
  }
  push(chunk: Buffer): void {
    for (const b of chunk) this.#bytes.push(b);
  }
  next(): number | null {
    return this.#bytes.shift() ?? null;
  }
}

test('a handshake waiter stops reading once its bound is buffered, and reads on when asked for more', async () => {
  const [server, client, close] = await socketPair();
  try {
    const bound = 256 * 1024;
    const waiter = new HandshakeWaiter(server, new HoardingFramer(), 'test', { pauseAboveBytes: bound });
    let written = false;
    client.write(Buffer.alloc(64 * 1024 * 1024), () => {
      written = true;
    });
    // Either the waiter pauses its socket (bounded) or it takes in the whole write (unbounded).
    while (!server.isPaused() && !written) await tick();
    assert.equal(written, false, 'the whole flood was read into memory');
    const held = waiter.framer.buffered;
    assert.ok(held >= bound && held < bound + 1024 * 1024, `held ${held} bytes`);
    // Asked for a message, it reads on (a framer bounds a message by its header).
    void waiter.take((f) => (f.buffered > held ? true : null));
    while (waiter.framer.buffered <= held) await tick();
    waiter.detach();
  } finally {
    close();
  }
});

test('without a bound a handshake waiter reads whatever arrives (upstream sockets)', async () => {
  const [server, client, close] = await socketPair();
  try {
    const waiter = new HandshakeWaiter(server, new HoardingFramer(), 'test');
    const size = 4 * 1024 * 1024;
    await new Promise<void>((resolve) => client.write(Buffer.alloc(size), () => resolve()));
    while (waiter.framer.buffered < size) await tick();
    assert.equal(server.isPaused(), false);
    waiter.detach();
  } finally {
    close();
  }
});

test('the relay takes no more messages while the target owes answers to its backlog', async () => {
  const [client, user, closeClient] = await socketPair();
  const [target, upstream, closeTarget] = await socketPair();
  try {
    const limit = 3;
    let unanswered = 0;
    let taken = 0;
    let forwarded = 0;
    target.on('data', (c: Buffer) => {
      forwarded += c.length;
    });
    const session = { onCut: () => () => undefined, end: async () => undefined } as unknown as ModuleSession;
    const relay = new WriteAheadRelay<number>({ client, upstream, session }, (r) => ({
      framer: new ByteFramer(),
      onClientMessage(byte) {
        taken++;
        unanswered++;
        r.toUpstream(Buffer.from([byte]));
        return undefined;
      },
      onUpstreamData(chunk) {
        unanswered -= chunk.length;
        r.toClient(chunk);
      },
      backlogFull: () => unanswered >= limit,
      farewells: { cut: () => Buffer.alloc(0), error: () => Buffer.alloc(0), upstreamLost: () => undefined },
      stopUpstream: async () => undefined,
    }));
    relay.start();
    user.write(Buffer.alloc(100, 0x61));
    // Either the relay pauses the client at the backlog, or it takes all 100 messages.
    while (!(client.isPaused() && forwarded >= limit) && taken < 100) await tick();
    assert.equal(taken, limit, 'messages were taken past the backlog');
    // Two answers: two more messages are taken, no more.
    target.write(Buffer.alloc(2));
    while (!(client.isPaused() && forwarded >= limit + 2) && taken < 100) await tick();
    assert.equal(taken, limit + 2);
    // The rest, answered one by one as they come, all go through.
    target.on('data', (c: Buffer) => target.write(Buffer.alloc(c.length)));
    target.write(Buffer.alloc(limit));
    while (forwarded < 100) await tick();
    assert.equal(taken, 100);
    relay.close('client-closed');
  } finally {
    closeClient();
    closeTarget();
  }
});
