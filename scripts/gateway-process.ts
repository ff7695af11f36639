// Runs a gateway in its own process (crash tests, benchmarks): argv[2] is JSON {settings, dataDir}.
// Prints one JSON line {url, replica, listeners} on stdout once it listens; SIGTERM closes it cleanly.

import { configSchema } from '../src/protocols/index.js';
import { startGateway } from '../src/server/gateway.js';
import type { LoadedConfig } from '../src/server/load-config.js';

const input = JSON.parse(process.argv[2]!) as { settings: Record<string, unknown>; dataDir: string };
const config = configSchema.parse({ ...input.settings, data: input.dataDir });
const loaded: LoadedConfig = { config, path: null, dataDir: input.dataDir };
const gateway = await startGateway(loaded, { listen: '127.0.0.1:0' });
const listeners = gateway.listeners.map((l) => ({ connection: l.connection, address: l.address }));
process.stdout.write(`${JSON.stringify({ url: gateway.url, replica: gateway.replica.id, listeners })}\n`);
process.on('SIGTERM', () => {
  void gateway.close().then(() => process.exit(0));
});
