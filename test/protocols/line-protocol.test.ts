// The module seam, proven by a protocol Vigil does not ship: test/support/line-protocol is added to
// the registry with one line, and the gateway authenticates, applies policy, masks, records
// write-ahead, replays and offboards it without any change to src/. Everything here is real: the
// gateway, an upstream TCP server, a TCP client, and the CLI.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { VigilConfig } from '../../src/core/config.js';
import { type EventDraft, nowIso, type StoredEvent } from '../../src/core/events.js';
import { Policy } from '../../src/pipeline/policy.js';
import { PolicyRules } from '../../src/policy/policy-rules.js';
import { PROTOCOLS } from '../../src/protocols/index.js';
import { protocolRegistry } from '../../src/protocols/registry.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { buildGuards } from '../../src/server/protocol-modules.js';
import { openStore } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, TEST_IDENTITIES, TOKENS } from '../support/gateway.js';
import { lineModule } from '../support/line-protocol/line-module.js';
import { type LineServer, startLineServer } from '../support/line-protocol/line-server.js';

const registry = protocolRegistry([...PROTOCOLS.modules, lineModule]);
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

let upstream: LineServer;
let gateway: Gateway;
let config: VigilConfig;
let dataDir: string;
let address: { host: string; port: number };
/** Each line as the upstream received it, and whether its ssh.exec was in the ledger at that moment. */
const arrivals: { line: string; recordedFirst: boolean }[] = [];

before(async () => {
  upstream = await startLineServer({
    beforeAnswer: async (line) => {
      // Read at once, before anything else runs: had Vigil forwarded before recording, the commit would still be in flight.
      const commands = (await eventsOf({ connection: 'lines' }))
        .filter((e) => e.type === 'ssh.exec')
        .map((e) => String(e.payload?.command));
      const recordedFirst = commands.some(
        (c) => c === line || c.replace(/\[MASKED:[^\]]*\]/g, AWS_KEY_ID) === line,
      );
      arrivals.push({ line, recordedFirst });
    },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-line-'));
  config = registry.configSchema.parse({
    log_level: 'silent',
    identities: TEST_IDENTITIES,
    data: dataDir,
    connections: [
      { name: 'lines', type: 'line', upstream: upstream.address, listen: '127.0.0.1:0', allow: ['*'] },
    ],
    policy: {
      rules: [
        {
          name: 'no-rm',
          match: { events: ['ssh.exec'], pattern: '^rm\\b' },
          action: 'deny',
          reason: 'nothing is deleted here',
        },
      ],
    },
  });
  gateway = await startGateway(
    { config, path: null, dataDir },
    { listen: '127.0.0.1:0', protocols: registry },
  );
  const bound = gateway.listeners.find((l) => l.connection === 'lines')!.address;
  const i = bound.lastIndexOf(':');
  address = { host: bound.slice(0, i), port: Number(bound.slice(i + 1)) };
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

async function eventsOf(filter: { connection?: string; identity?: string }): Promise<StoredEvent[]> {
  // Answers are recorded as they pass (nobody waits for them): read once they are committed.
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions(filter);
  return (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
}

/** A line client reading one answer at a time, as a user's tool would. */
class LineClient {
  readonly #socket: Socket;
  readonly #lines: string[] = [];
  #pending = '';
  #wake: () => void = () => undefined;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#pending += chunk.toString('utf8');
      for (let end = this.#pending.indexOf('\n'); end !== -1; end = this.#pending.indexOf('\n')) {
        this.#lines.push(this.#pending.slice(0, end));
        this.#pending = this.#pending.slice(end + 1);
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.#wake());
  }

  static async open(): Promise<LineClient> {
    const socket = connect(address);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new LineClient(socket);
  }

  static async signedIn(token: string): Promise<LineClient> {
    const client = await LineClient.open();
    assert.equal(await client.ask(`AUTH ${token}`), 'OK AUTH');
    return client;
  }

  send(line: string): void {
    this.#socket.write(`${line}\n`);
  }

  async next(timeoutMs = 5000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    let closed = false;
    void this.closed.then(() => {
      closed = true;
    });
    while (this.#lines.length === 0) {
      if (closed || this.#socket.destroyed) return null;
      if (Date.now() > deadline) throw new Error('no answer in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.#lines.shift()!;
  }

  async ask(line: string): Promise<string | null> {
    this.send(line);
    return this.next();
  }

  end(): void {
    this.#socket.end();
  }
}

test('a bad token is refused on the wire and recorded as access.denied', async () => {
  const client = await LineClient.open();
  const answer = await client.ask('AUTH tok-nobody-0123456789');
  assert.match(answer ?? '', /^ERR auth_invalid /);
  await client.closed;
  const denied = (await eventsOf({ connection: 'lines' })).filter((e) => e.type === 'access.denied');
  assert.equal(denied.length, 1);
  assert.equal(denied[0]!.payload?.code, 'auth_invalid');
  assert.equal(denied[0]!.identity.subject, 'anonymous');
  // A first line that is not AUTH is refused and recorded too, and reaches nobody.
  const bare = await LineClient.open();
  assert.match((await bare.ask('ls')) ?? '', /^ERR auth_missing /);
  await bare.closed;
  assert.deepEqual(upstream.received(), []);
});

test('lines are forwarded only once recorded; a denied line never reaches the upstream; secrets are masked', async () => {
  const client = await LineClient.signedIn(TOKENS.alice);
  assert.equal(await client.ask('ls -l'), 'OK 1 ls -l');
  // Pipelined: the denied line is answered in order, between the upstream's answers.
  client.send('echo one');
  client.send('rm -rf /srv');
  client.send(`aws configure set aws_access_key_id ${AWS_KEY_ID}`);
  assert.equal(await client.next(), 'OK 2 echo one');
  assert.match((await client.next()) ?? '', /^ERR policy_denied denied by rule no-rm/);
  assert.equal(await client.next(), `OK 3 aws configure set aws_access_key_id ${AWS_KEY_ID}`);
  client.end();
  await client.closed;

  assert.deepEqual(upstream.connections.at(-1)!.lines, [
    'ls -l',
    'echo one',
    `aws configure set aws_access_key_id ${AWS_KEY_ID}`,
  ]);
  assert.ok(!upstream.received().some((l) => l.startsWith('rm')), 'the denied line reached the upstream');
  assert.equal(arrivals.length, 3);
  for (const a of arrivals) assert.ok(a.recordedFirst, `"${a.line}" reached the upstream before the ledger`);

  const events = await eventsOf({ connection: 'lines', identity: 'alice' });
  const execs = events.filter((e) => e.type === 'ssh.exec').map((e) => String(e.payload?.command));
  assert.equal(execs.length, 4, 'the denied attempt is recorded too');
  assert.ok(execs.includes('rm -rf /srv'));
  const decision = events.find((e) => e.type === 'policy.decision');
  assert.equal(decision?.payload?.action, 'deny');
  assert.equal(decision?.payload?.rule, 'no-rm');
  // The key id never reaches the ledger, neither in the command nor in the recorded answer.
  const recorded = JSON.stringify(events.map((e) => e.payload));
  assert.ok(!recorded.includes(AWS_KEY_ID), 'the AWS key id was recorded in clear');
  assert.ok(execs.some((c) => /^aws configure set aws_access_key_id \[MASKED:/.test(c)));
  const outputs = events.filter((e) => e.type === 'ssh.output').map((e) => String(e.payload?.output));
  assert.deepEqual(outputs.slice(0, 2), ['OK 1 ls -l', 'OK 2 echo one']);
  assert.match(outputs[2] ?? '', /^OK 3 aws configure set aws_access_key_id \[MASKED:/);
  // The client left: the upstream sees its connection end gently, and the session says who ended it.
  assert.equal(upstream.connections.at(-1)!.ended, 'end');
  const end = await recordedEvent({ connection: 'lines', identity: 'alice' }, 'session.end');
  assert.equal(end.payload?.reason, 'client-closed');
});

test('vigil replay shows the lines of the session', async () => {
  const [session] = await gateway.store.ledger.listSessions({ connection: 'lines', identity: 'alice' });
  assert.ok(session);
  await gateway.recorder.drain();
  const run = await runCli(['--data', dataDir, 'replay', session.id]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /session started by alice on lines \(line\)/);
  assert.match(run.stdout, /ssh\.exec .*ls -l/);
  assert.match(run.stdout, /ssh\.output .*OK 2 echo one/);
  assert.match(run.stdout, /DENY by rule no-rm/);
  assert.ok(!run.stdout.includes(AWS_KEY_ID));
});

test('disabling the identity cuts the live connection, resets the upstream and records access.revoked', async () => {
  const client = await LineClient.signedIn(TOKENS.bob);
  assert.equal(await client.ask('uptime'), 'OK 1 uptime');
  const other = await openStore({ ...config, append_in_worker: false }, dataDir);
  await other.access.disableIdentity('bob', nowIso(), 'contract ended');
  const disabledAt = performance.now();
  await other.close();
  assert.equal(await client.next(), 'BYE revoked');
  await client.closed;
  assert.ok(performance.now() - disabledAt < 2000, 'the cut took longer than 2 s');
  // Vigil ended it: the upstream is reset, so it cannot read on into anything still queued.
  await waitFor(() => upstream.connections.at(-1)!.ended !== null);
  assert.equal(upstream.connections.at(-1)!.ended, 'reset');
  await recordedEvent({ connection: 'lines', identity: 'bob' }, 'session.end');
  const events = await eventsOf({ connection: 'lines', identity: 'bob' });
  assert.equal(events.find((e) => e.type === 'access.revoked')?.payload?.reason, 'identity-disabled');
  // The cut and the relay's close both end the session: it is recorded once.
  assert.equal(events.filter((e) => e.type === 'session.end').length, 1);
  const again = await LineClient.open();
  assert.match((await again.ask(`AUTH ${TOKENS.bob}`)) ?? '', /^ERR auth_revoked /);
});

test('vigil policy test can judge a line through the module sample', async () => {
  const connection = config.connections.find((c) => c.name === 'lines')!;
  const policy = new Policy(
    await buildGuards(registry, config),
    new PolicyRules(config.policy, registry.describeAction),
  );
  const sample = lineModule.samples?.find((s) => s.option === 'line');
  assert.ok(sample);
  const decide = async (text: string) => {
    const action = await sample.build(connection, text, {});
    const draft: EventDraft = {
      type: action.type,
      sessionId: 'policy-test',
      connection: 'lines',
      identity: { subject: 'alice', kind: 'user', groups: [] },
      time: nowIso(),
      payload: action.payload,
    };
    return policy.evaluate(draft).decision;
  };
  const denied = await decide('rm -rf /');
  assert.equal(denied.action, 'deny');
  assert.equal(denied.action === 'deny' ? denied.rule : null, 'no-rm');
  assert.equal((await decide('ls')).action, 'allow');
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(gateway);
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The first event of a type in the matching sessions, once it is recorded (the session end follows the close). */
async function recordedEvent(
  filter: { connection: string; identity: string },
  type: StoredEvent['type'],
): Promise<StoredEvent> {
  let found: StoredEvent | undefined;
  const deadline = Date.now() + 3000;
  while (!found) {
    if (Date.now() > deadline) throw new Error(`no ${type} recorded in time`);
    await gateway.recorder.drain();
    found = (await eventsOf(filter)).find((e) => e.type === type);
    if (!found) await new Promise((r) => setTimeout(r, 20));
  }
  return found;
}
