// A real gateway in front of a real OpenSSH server, for the SSH tests: the gateway's `box`
// connection logs in to the sshd with a key Vigil holds; users reach it with the OpenSSH client
// (their Vigil token given through SSH_ASKPASS, as a user's askpass helper would) or with ssh2.
// The gateway's log is captured so tests can scan it for secrets.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before } from 'node:test';
import ssh2 from 'ssh2';
import type { VigilConfig } from '../../src/core/config.js';
import type { StoredEvent } from '../../src/core/events.js';
import { configSchema } from '../../src/protocols/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { type CliRun, runProcess } from '../support/cli.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';
import { type OpenSshServer, sshdMissing, startOpenSshServer } from '../support/openssh-server.js';

/** The deny rule most SSH tests share: a command naming `forbidden-marker` never reaches the host. */
export const NO_FORBIDDEN_MARKER = {
  name: 'no-forbidden',
  match: { events: ['ssh.exec', 'ssh.command'], pattern: 'forbidden-marker' },
  action: 'deny',
  reason: 'this marker may not be made',
};

export interface SshFixture {
  readonly sshd: OpenSshServer;
  readonly gateway: Gateway;
  readonly dataDir: string;
  readonly config: VigilConfig;
  /** The gateway's SSH port for `box`. */
  readonly port: number;
  /** A directory on the host (the sshd runs as this user on this machine) for marker files. */
  readonly work: string;
  log(): string;
  /**
   * A command for the host that prints how many events of `type` in the gateway's ledger mention
   * `needle`, read from the database file at the moment it runs (the write-ahead check). Its own
   * text contains the needle, so it prints 1 if it was recorded before it ran, 0 if not.
   */
  probe(type: string, needle: string): string;
  /** The OpenSSH client through Vigil as `who`, with these options and arguments. */
  ssh(who: keyof typeof TOKENS, args: readonly string[], input?: string): Promise<CliRun>;
  /** The OpenSSH sftp client through Vigil as alice, given these commands on its input. */
  sftp(commands: string, options?: readonly string[]): Promise<CliRun>;
  /** The OpenSSH scp client through Vigil as alice, with these options and paths. */
  scp(args: readonly string[]): Promise<CliRun>;
  /** Options for ssh/scp/sftp through Vigil (port flag given separately: -p or -P). */
  clientOptions(): string[];
  askpassEnv(who: keyof typeof TOKENS): Record<string, string>;
  events(filter?: { identity?: string }): Promise<StoredEvent[]>;
  /** Events of each session, newest session last. */
  sessions(filter?: { identity?: string }): Promise<StoredEvent[][]>;
  close(): Promise<void>;
}

export async function startSshFixture(
  extra: {
    connection?: Record<string, unknown>;
    policy?: Record<string, unknown>;
    /** More connections beside `box` (a model endpoint, to link commands to the turns that proposed them). */
    connections?: readonly Record<string, unknown>[];
    /** Replaces the test identities (to register public keys to them). */
    identities?: readonly Record<string, unknown>[];
  } = {},
): Promise<SshFixture> {
  const sshd = await startOpenSshServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-ssh-'));
  const work = mkdtempSync(join(tmpdir(), 'vigil-ssh-work-'));
  const keyVar = `VIGIL_TEST_SSH_KEY_${sshd.port}`;
  process.env[keyVar] = sshd.clientKey;
  const config = configSchema.parse({
    log_level: 'debug',
    identities: extra.identities ?? TEST_IDENTITIES,
    data: dataDir,
    connections: [
      {
        name: 'box',
        type: 'ssh',
        upstream: sshd.address,
        listen: '127.0.0.1:0',
        user: sshd.user,
        credential: `env:${keyVar}`,
        allow: ['*'],
        // The guard takes a line whose echo has not come by echo_wait for one typed blind. The
        // default (300 ms) is tight for a loaded test machine, where a shell's echo was seen to come
        // later and an ordinary line was refused as blind; these tests are about what the guard
        // does with the echo, not how soon it comes.
        echo_wait: '2s',
        ...extra.connection,
      },
      ...(extra.connections ?? []),
    ],
    ...(extra.policy ? { policy: extra.policy } : {}),
  });
  let logText = '';
  const logSink = new PassThrough();
  logSink.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });
  const gateway = await startGateway(
    { config, path: null, dataDir },
    { listen: '127.0.0.1:0', logDestination: logSink },
  );
  const bound = gateway.listeners.find((l) => l.connection === 'box')!.address;
  const port = Number(bound.slice(bound.lastIndexOf(':') + 1));
  const askpassDir = mkdtempSync(join(tmpdir(), 'vigil-askpass-'));
  const probeScript = join(askpassDir, 'ledger-probe.cjs');
  writeFileSync(
    probeScript,
    `const Database = require(${JSON.stringify(join(process.cwd(), 'node_modules/better-sqlite3'))});
const [db, type, needle] = process.argv.slice(2);
const n = new Database(db, { readonly: true }).prepare('SELECT count(*) AS n FROM events WHERE type = ? AND instr(payload, ?) > 0').get(type, needle).n;
console.log('recorded-before-run=' + n);
`,
  );
  for (const [who, token] of Object.entries(TOKENS)) {
    writeFileSync(join(askpassDir, who), `#!/bin/sh\nprintf '%s\\n' '${token}'\n`, { mode: 0o755 });
  }
  const askpassEnv = (who: keyof typeof TOKENS) => ({
    SSH_ASKPASS: join(askpassDir, who),
    SSH_ASKPASS_REQUIRE: 'force',
    DISPLAY: ':0',
  });
  const clientOptions = () => [
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'PubkeyAuthentication=no',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'NumberOfPasswordPrompts=1',
  ];
  const sessions = async (filter: { identity?: string } = {}) => {
    await gateway.recorder.drain();
    const list = await gateway.store.ledger.listSessions({ connection: 'box', ...filter });
    const sorted = [...list].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return Promise.all(sorted.map((s) => gateway.store.ledger.readSession(s.id)));
  };
  return {
    sshd,
    gateway,
    dataDir,
    config,
    port,
    work,
    log: () => logText,
    probe: (type, needle) =>
      `${process.execPath} ${probeScript} ${join(dataDir, 'vigil.db')} ${type} ${needle}`,
    clientOptions,
    askpassEnv,
    ssh: (who, args, input = '') =>
      runProcess('ssh', ['-p', String(port), ...clientOptions(), ...args], askpassEnv(who), input),
    // Commands on standard input rather than -b: batch mode forbids the password prompt askpass answers.
    sftp: (commands, options = []) =>
      runProcess(
        'sftp',
        [...options, '-P', String(port), ...clientOptions(), 'alice@127.0.0.1'],
        askpassEnv('alice'),
        commands,
      ),
    scp: (args) => runProcess('scp', ['-P', String(port), ...clientOptions(), ...args], askpassEnv('alice')),
    sessions,
    events: async (filter) => (await sessions(filter)).flat(),
    async close() {
      await gateway.close();
      await sshd.close();
      delete process.env[keyVar];
      // The files tests moved (some of 100 MB) go; the data directory stays for a failed run's reading.
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** ssh2 as the user's client, signing in with a token by keyboard-interactive. */
/**
 * One fixture for a whole test file: started before its tests and closed after them, unless
 * OpenSSH is missing (`missing` says why; the tests skip with it).
 */
export function sshFixtureForFile(extra: Parameters<typeof startSshFixture>[0] = {}): {
  readonly missing: string | null;
  readonly f: () => SshFixture;
} {
  const missing = sshdMissing();
  let fixture: SshFixture | undefined;
  before(async () => {
    if (!missing) fixture = await startSshFixture(extra);
  });
  after(async () => {
    await fixture?.close();
  });
  return {
    missing,
    f: () => {
      if (!fixture) throw new Error('the SSH fixture has not started');
      return fixture;
    },
  };
}

export function ssh2Client(port: number, token: string): Promise<ssh2.Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.on('keyboard-interactive', (_n, _i, _l, prompts, finish) => finish(prompts.map(() => token)));
    client.connect({
      host: '127.0.0.1',
      port,
      username: 'alice',
      tryKeyboard: true,
      readyTimeout: 20_000,
    });
  });
}

/** Runs a command through an ssh2 client: its output, stderr and exit status. */
export function ssh2Exec(
  client: ssh2.Client,
  command: string,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      stream.on('data', (c: Buffer) => {
        stdout += c.toString();
      });
      stream.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      stream.on('exit', (c: number | null) => {
        code = c;
      });
      stream.on('close', () => resolve({ stdout, stderr, code }));
    });
  });
}

/** Waits until `check` holds (polling), or fails naming what was awaited. */
export async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  // Only a failing wait runs this long; a loaded machine can stall a commit for seconds.
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SshAgent {
  /** SSH_AUTH_SOCK for a client using this agent. */
  readonly socket: string;
  /** Generates a key, adds it to the agent, and returns its fingerprint (SHA256:…). */
  addKey(): string;
  close(): void;
}

/** A real ssh-agent of the user's own (OpenSSH's), empty until keys are added. */
export async function startSshAgent(): Promise<SshAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-'));
  const socket = join(dir, 'agent.sock');
  const env = { ...process.env, SSH_AUTH_SOCK: socket };
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  await until('the ssh-agent socket', async () => {
    // ssh-add -l exits 1 for an empty agent, 2 when it cannot reach one.
    const status = spawnSync('ssh-add', ['-l'], { env, stdio: 'ignore' }).status;
    return status === 0 || status === 1;
  });
  let keys = 0;
  return {
    socket,
    addKey() {
      const key = join(dir, `key${keys++}`);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key, '-C', 'agent-test']);
      execFileSync('ssh-add', ['-q', key], { env, stdio: 'ignore' });
      return execFileSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    },
    close: () => child.kill(),
  };
}
