// A gateway for the leak tests whose own log (pino, at debug) is written to a file in its data
// directory, so one scan of the directory finds a secret in the ledger, the WAL or a log line.
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/protocols/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TEST_IDENTITIES } from '../support/gateway.js';

export interface LoggedGateway {
  readonly gateway: Gateway;
  readonly dataDir: string;
  /** The address a TCP connection listens on. */
  listener(connection: string): { host: string; port: number };
}

export async function startLoggedGateway(settings: Record<string, unknown>): Promise<LoggedGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-leak-'));
  const config = configSchema.parse({
    log_level: 'debug',
    identities: TEST_IDENTITIES,
    ...settings,
    data: dataDir,
  });
  const gateway = await startGateway(
    { config, path: null, dataDir },
    { listen: '127.0.0.1:0', logDestination: createWriteStream(join(dataDir, 'vigil.log')) },
  );
  return {
    gateway,
    dataDir,
    listener(connection) {
      const address = gateway.listeners.find((l) => l.connection === connection)!.address;
      const i = address.lastIndexOf(':');
      return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
    },
  };
}

/** Where any of `secrets` appears in a file of the data directory (log included), with context. */
export function leaksIn(dataDir: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const { path, bytes } of dataDirFiles(dataDir)) {
    for (const s of secrets) {
      const at = bytes.indexOf(Buffer.from(s));
      if (at >= 0)
        found.push(
          `${path}: …${bytes.subarray(Math.max(0, at - 80), at + s.length + 20).toString('latin1')}…`,
        );
    }
  }
  return found;
}

/** Which of `secrets` (by name) the data directory holds: each shape is named when it leaks. */
export function leakedNames(dataDir: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([name, value]) =>
    leaksIn(dataDir, [value]).length > 0 ? [name] : [],
  );
}
