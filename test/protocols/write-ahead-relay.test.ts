// The relay on its own, over real sockets, with a peer behaving badly: one that floods while an
// action is judged, leaves mid-judgement, stops reading, or is cut. Memory must stay bounded,
// nothing after a pending message may reach the target, and the connection ends exactly once.
import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import type { SessionEndReason } from '../../src/core/events.js';
import type { ModuleSession } from '../../src/pipeline/module-context.js';
import { WriteAheadRelay } from '../../src/relay/index.js';
import { LineFramer } from '../support/line-protocol/line-module.js';

/** Two connected sockets: [the side Vigil holds, the peer]. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const peer = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const ours = await accepted;
  server.close();
  peer.on('error', () => undefined);
  ours.on('error', () => undefined);
  return [ours, peer];
}

function fakeSession() {
  const ends: SessionEndReason[] = [];
  let cutter: ((reason: SessionEndReason) => void) | null = null;
  const session = {
    id: 's1',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    connection: 'c',
    submit: async () => null,
    observe: async () => null,
    refuse: async () => undefined,
    refuseAction: async () => undefined,
    judge: () => ({ action: 'allow' }),
    begin: () => () => undefined,
    touch: () => undefined,
    onCut(cut: (reason: SessionEndReason) => void) {
      cutter = cut;
      return () => {
        cutter = null;
      };
    },
    end: async (reason: SessionEndReason) => {
      ends.push(reason);
    },
  } satisfies ModuleSession;
  return { session, ends, cut: (reason: SessionEndReason) => cutter?.(reason) };
}

interface Harness {
  readonly user: Socket;
  readonly target: Socket;
  readonly client: Socket;
  readonly upstream: Socket;
  readonly framer: LineFramer;
  readonly relay: WriteAheadRelay<string>;
  readonly fake: ReturnType<typeof fakeSession>;
  /** What the target received. */
  received(): string;
  /** Resolves the message now held (a line starting with HOLD). */
  release(): void;
  readonly stops: number[];
}

/** A relay whose protocol forwards every line, holding a line starting with HOLD until released. */
async function harness(readAheadBytes = 64 * 1024): Promise<Harness> {
  const [client, user] = await socketPair();
  const [target, upstream] = await socketPair();
  const fake = fakeSession();
  const framer = new LineFramer(1024 * 1024);
  let got = '';
  target.on('data', (c: Buffer) => {
    got += c.toString('latin1');
  });
  let release: () => void = () => undefined;
  const stops: number[] = [];
  const relay = new WriteAheadRelay<string>(
    { client, upstream, session: fake.session, readAheadBytes },
    (r) => ({
      framer,
      onClientMessage(line) {
        if (!line.startsWith('HOLD')) {
          r.toUpstream(Buffer.from(`${line}\n`));
          return undefined;
        }
        return new Promise<void>((resolve) => {
          release = () => {
            r.toUpstream(Buffer.from(`${line}\n`));
            resolve();
          };
        });
      },
      onUpstreamData: (chunk) => r.toClient(chunk),
      farewells: {
        cut: (reason) => Buffer.from(`BYE ${reason}\n`),
        error: (e) => Buffer.from(`ERR ${e.code}\n`),
        upstreamLost: () => undefined,
      },
      stopUpstream: async () => {
        stops.push(upstream.destroyed ? 1 : 0);
      },
    }),
  );
  relay.start();
  return {
    user,
    target,
    client,
    upstream,
    framer,
    relay,
    fake,
    received: () => got,
    release: () => release(),
    stops,
  };
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await settle(10);
  }
}

test('write-ahead: nothing after a pending message reaches the target, and read-ahead is bounded', async () => {
  const h = await harness(64 * 1024);
  h.user.write('one\nHOLD two\n');
  const flood = `${'x'.repeat(1023)}\n`.repeat(8 * 1024); // 8 MiB of lines while "HOLD two" is judged
  h.user.write('three\n');
  h.user.write(flood);
  await until(() => h.received() === 'one\n');
  await settle(300);
  assert.equal(h.received(), 'one\n', 'a line after the pending one was forwarded');
  // The client is paused once read-ahead is full: Vigil holds about the bound, not the flood.
  assert.ok(h.framer.buffered < 64 * 1024 + 512 * 1024, `read ahead ${h.framer.buffered} bytes`);
  h.release();
  await until(() => h.received().length === 'one\nHOLD two\nthree\n'.length + flood.length, 10_000);
  assert.ok(h.received().startsWith('one\nHOLD two\nthree\n'), 'order was not kept');
  h.user.destroy();
  h.target.destroy();
});

test('a client that leaves while a message is pending is noticed at once; the target just sees it drop', async () => {
  const h = await harness();
  let targetEnd: 'end' | 'reset' | null = null;
  h.target.on('end', () => {
    targetEnd ??= 'end';
  });
  h.target.on('error', (e: NodeJS.ErrnoException) => {
    targetEnd ??= e.code === 'ECONNRESET' ? 'reset' : null;
  });
  h.user.write('HOLD forever\n');
  await settle();
  h.user.destroy();
  await until(() => h.relay.closed);
  assert.equal(h.relay.signal.aborted, true, 'a held submission is withdrawn');
  await until(() => targetEnd !== null);
  assert.equal(targetEnd, 'end');
  assert.deepEqual(h.stops, [], 'the target was told to stop work although the client left');
  h.release();
  await settle();
  assert.equal(h.received(), '', 'the pending message was forwarded after the client left');
  assert.deepEqual(h.fake.ends, ['client-closed']);
});

test('a target that stops reading stops Vigil reading the client', async () => {
  const h = await harness();
  h.target.pause();
  const chunk = Buffer.from(`${'y'.repeat(1023)}\n`.repeat(1024)); // 1 MiB
  let written = 0;
  // The user writes 64 MiB as fast as it is accepted.
  for (let i = 0; i < 64; i++) {
    written += chunk.length;
    if (!h.user.write(chunk)) await Promise.race([new Promise((r) => h.user.once('drain', r)), settle(200)]);
  }
  await settle(300);
  const held = h.upstream.writableLength + h.framer.buffered + h.client.readableLength;
  assert.ok(held < 16 * 1024 * 1024, `Vigil holds ${held} bytes of ${written}`);
  assert.equal(h.client.isPaused(), true);
  h.user.destroy();
  h.target.destroy();
});

test('a client that stops reading stops Vigil reading the target', async () => {
  const h = await harness();
  h.user.pause();
  const chunk = Buffer.alloc(1024 * 1024, 'z');
  for (let i = 0; i < 64; i++) {
    if (!h.target.write(chunk))
      await Promise.race([new Promise((r) => h.target.once('drain', r)), settle(200)]);
  }
  await settle(300);
  const held = h.client.writableLength + h.upstream.readableLength;
  assert.ok(held < 16 * 1024 * 1024, `Vigil holds ${held} bytes`);
  assert.equal(h.upstream.isPaused(), true);
  h.user.destroy();
  h.target.destroy();
});

test('a cut tells the client, resets the target, stops its work, and ends the session once', async () => {
  const h = await harness();
  let targetEnd: string | null = null;
  h.target.on('error', (e: NodeJS.ErrnoException) => {
    targetEnd ??= e.code ?? 'error';
  });
  h.target.on('end', () => {
    targetEnd ??= 'end';
  });
  let told = '';
  h.user.on('data', (c: Buffer) => {
    told += c.toString();
  });
  h.user.write('HOLD queued\n');
  await settle();
  h.fake.cut('revoked');
  h.fake.cut('revoked');
  h.relay.close('closed');
  await until(() => targetEnd !== null && told.length > 0);
  assert.equal(told, 'BYE revoked\n');
  assert.equal(targetEnd, 'ECONNRESET');
  assert.deepEqual(h.stops, [1], 'stopUpstream runs once, after the reset');
  assert.deepEqual(h.fake.ends, ['revoked']);
  h.user.destroy();
});
