// Starting the parties of a benchmark as separate processes, so none shares an event loop with
// the load generator or with each other.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Spawned {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx SCRIPT ...args` that prints {"url": ...} on a stdout line of its own.
 * With VIGIL_BENCH_CPU_PROF=<dir> set, the party runs under `--cpu-prof` and writes its profile
 * there when it stops: how the profiles in bench/RESULTS.md are taken. VIGIL_BENCH_NODE_FLAGS adds
 * flags of Node's own (`--trace-gc`, say). The party's other stdout lines go to `onLine` when given;
 * without it, those that are not JSON go to stderr.
 */
export async function spawnJsonUrl(
  script: string,
  args: readonly string[],
  onLine?: (line: string) => void,
): Promise<Spawned> {
  const profileDir = process.env.VIGIL_BENCH_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const flags = process.env.VIGIL_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...flags, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (text.startsWith('{"url"')) resolve(text);
      else if (onLine) onLine(text);
      else if (!text.startsWith('{')) process.stderr.write(`${text}\n`);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url, stop: () => stopChild(child) };
}

/** Spawns a command and waits until `url` answers HTTP. */
export async function spawnAndWait(
  command: string,
  args: readonly string[],
  url: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Spawned> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(url);
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${command} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { child, url, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/** What bench/support/probed-gateway.ts reports about itself. */
export interface GatewayProbe {
  /** Event-loop delay since the previous probe (or the start). */
  readonly loopDelayMs: { mean: number; p50: number; p99: number; max: number };
  readonly memoryMb: {
    rss: number;
    heapUsed: number;
    heapTotal: number;
    external: number;
    arrayBuffers: number;
  };
}

/** Asks a gateway started from bench/support/probed-gateway.ts for its probe line. */
export function probeGateway(gateway: Spawned, timeoutMs = 5000): Promise<GatewayProbe> {
  const stdout = gateway.child.stdout!;
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => finish(new Error('the gateway did not answer its probe')), timeoutMs);
    // A listener of our own rather than readline: closing a readline interface pauses the stream.
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        if (!line.startsWith('{"probe"')) continue;
        finish((JSON.parse(line) as { probe: GatewayProbe }).probe);
        return;
      }
    };
    function finish(result: GatewayProbe | Error) {
      clearTimeout(timer);
      stdout.off('data', onData);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    stdout.on('data', onData);
    gateway.child.kill('SIGUSR2');
  });
}
